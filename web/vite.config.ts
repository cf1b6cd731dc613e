/// <reference types="vitest/config" />
// Vite build of the web app (served by `highpipe serve` from web/dist) and the Vitest setup.
// JSX goes through esbuild (no React plugin: nothing here needs fast refresh or Babel).
import { defineConfig } from "vite";

const backend = process.env.HIGHPIPE_DEV_BACKEND ?? "http://127.0.0.1:8000";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  server: {
    // `npm run dev` talks to a `highpipe serve` running beside it.
    proxy: {
      "/api": backend,
      "/ws": { target: backend.replace(/^http/, "ws"), ws: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      onwarn(warning, warn) {
        // react-router marks its modules "use client" (for server components); meaningless in this bundle.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
      output: {
        // React in a chunk of its own (cached across releases); the chart library then lands in the chunk
        // shared by the analysis and compare pages, which the home page never loads.
        manualChunks(id) {
          if (/node_modules\/(react|react-dom|scheduler|react-router)\//.test(id)) return "react";
          return undefined;
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    pool: "threads",
    poolOptions: { threads: { maxThreads: 2, minThreads: 1 } },
  },
});
