"""Would a small neural model trained here beat the shipped linear model on shopping reviews?

A probe, not part of the product: it answers a question the linear-model search left open (issue #3's
shopping-accuracy target). A character-level Transformer encoder is pre-trained with masked-character
prediction on every NSMC training text plus the shopping training rows, then fine-tuned on the same
sentiment data as `highpipe model train` (200k balanced polar NSMC rows outside the test and dev movies +
the shopping training rows of four folds, weighted up by repetition) and scored on the fifth fold. The
same five folds as train.py (`(line // 5) % 5`) give a CV figure comparable with docs/analysis.md's table;
NSMC dev movies (`movie_id % 10 == 1`) show what it costs the movie domain. Test rows never leave this
machine: `prepare` writes only training rows.

    uv run python bench/neural_probe.py prepare --out .gpu          # here: training rows only
    python3 bench/neural_probe.py run --data .gpu --out results/    # where PyTorch (+ a GPU) is

`run` needs PyTorch, which the project does not depend on; on a CPU it works with `--smoke`.
Writes neural_probe.json under --out.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

MAX_LEN = 128
PAD, UNK, CLS, MASK = 0, 1, 2, 3
NSMC_ROWS = 200_000
SHOP_REPEAT = 20  # train.py weights shopping rows 20x; repetition is the neural equivalent
DEV_MOVIE_MOD = 1


def prepare(out: Path, shared: Path) -> None:
    from highpipe.analysis import data

    out.mkdir(parents=True, exist_ok=True)
    with gzip.open(out / "nsmc_train.tsv.gz", "wt", encoding="utf-8") as f:
        for movie, rating, text in data.iter_nsmc(shared, "train"):
            f.write(f"{movie}\t{rating}\t{' '.join(text.split())}\n")
    with (out / "shop_train.tsv").open("w", encoding="utf-8") as f:
        for r in data.read_shopping(shared, "train"):
            f.write(f"{r.key}\t{r.label}\t{' '.join(r.text.split())}\n")


def _load(data_dir: Path) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]]]:
    nsmc: list[tuple[int, int, str]] = []
    with gzip.open(data_dir / "nsmc_train.tsv.gz", "rt", encoding="utf-8") as f:
        for line in f:
            movie, rating, text = line.rstrip("\n").split("\t", 2)
            nsmc.append((int(movie), int(rating), text))
    shop: list[tuple[int, int, str]] = []
    with (data_dir / "shop_train.tsv").open(encoding="utf-8") as f:
        for line in f:
            key, label, text = line.rstrip("\n").split("\t", 2)
            shop.append((int(key), int(label), text))
    return nsmc, shop


def run(args: argparse.Namespace) -> dict[str, Any]:
    import torch
    from torch import nn

    t_start = time.perf_counter()
    rng = random.Random(13)
    torch.manual_seed(13)
    dev_name = "cuda" if torch.cuda.is_available() and not args.cpu else "cpu"
    device = torch.device(dev_name)
    nsmc, shop = _load(args.data)
    if args.smoke:
        nsmc = nsmc[:20_000]

    counts = Counter(ch for _, _, t in nsmc for ch in t)
    counts.update(ch for _, _, t in shop for ch in t)
    vocab = {ch: i + 4 for i, (ch, n) in enumerate(counts.most_common()) if n >= 3}

    def encode(texts: list[str]) -> torch.Tensor:
        x = torch.zeros((len(texts), MAX_LEN), dtype=torch.long)
        for i, t in enumerate(texts):
            ids = [CLS] + [vocab.get(ch, UNK) for ch in t[: MAX_LEN - 1]]
            x[i, : len(ids)] = torch.tensor(ids)
        return x

    def binary(rating: int) -> int | None:
        return 0 if rating <= 4 else 1 if rating >= 9 else None

    pos = [t for m, r, t in nsmc if m % 10 != DEV_MOVIE_MOD and binary(r) == 1]
    neg = [t for m, r, t in nsmc if m % 10 != DEV_MOVIE_MOD and binary(r) == 0]
    n_rows = NSMC_ROWS if not args.smoke else 4_000
    n_neg = min(len(neg), n_rows // 2)
    nsmc_sent = [(t, 1) for t in rng.sample(pos, n_rows - n_neg)] + [(t, 0) for t in rng.sample(neg, n_neg)]
    dev = [(t, binary(r)) for m, r, t in nsmc if m % 10 == DEV_MOVIE_MOD and binary(r) is not None]
    dev = rng.sample(dev, min(len(dev), 20_000 if not args.smoke else 1_000))
    x_dev = encode([t for t, _ in dev])
    x_nsmc = encode([t for t, _ in nsmc_sent])
    y_nsmc = torch.tensor([y for _, y in nsmc_sent])
    y_dev = torch.tensor([y for _, y in dev])

    d, layers = (256, 4) if not args.smoke else (64, 2)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tok = nn.Embedding(len(vocab) + 4, d, padding_idx=PAD)
            self.pos = nn.Embedding(MAX_LEN, d)
            layer = nn.TransformerEncoderLayer(d, 4, 4 * d, 0.1, batch_first=True, norm_first=True)
            self.body = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
            self.norm = nn.LayerNorm(d)
            self.mlm = nn.Linear(d, len(vocab) + 4)
            self.cls = nn.Linear(d, 2)

        def hidden(self, x: torch.Tensor) -> torch.Tensor:
            h = self.tok(x) + self.pos(torch.arange(x.shape[1], device=x.device))
            return self.norm(self.body(h, src_key_padding_mask=x == PAD))

        def classify(self, x: torch.Tensor) -> torch.Tensor:
            h = self.hidden(x)
            keep = (x != PAD).unsqueeze(-1).float()
            return self.cls((h * keep).sum(1) / keep.sum(1).clamp(min=1.0))

    def batches(x: torch.Tensor, bs: int, shuffle: bool) -> list[torch.Tensor]:
        idx = torch.randperm(len(x)) if shuffle else torch.arange(len(x))
        return [idx[i : i + bs] for i in range(0, len(x), bs)]

    amp = torch.autocast(device_type=dev_name, dtype=torch.bfloat16, enabled=dev_name == "cuda")

    # 1. Masked-character pre-training on every training text (NSMC, all ratings, and shopping train).
    pre_x = encode([t for _, _, t in nsmc] + [t for _, _, t in shop] * 5)
    model = Encoder().to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01)
    pre_budget = args.pretrain_s
    steps = 0
    t0 = time.perf_counter()
    losses: list[float] = []
    while time.perf_counter() - t0 < pre_budget:
        for b in batches(pre_x, 512, True):
            xb = pre_x[b].to(device)
            real = (xb != PAD) & (xb != CLS)
            m = real & (torch.rand(xb.shape, device=device) < 0.15)
            inp = xb.masked_fill(m, MASK)
            lr = 5e-4 * min(1.0, (steps + 1) / 500)
            for g in opt.param_groups:
                g["lr"] = lr
            with amp:
                logits = model.mlm(model.hidden(inp))[m]
                loss = nn.functional.cross_entropy(logits.float(), xb[m])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            steps += 1
            if steps % 100 == 0:
                losses.append(round(float(loss.detach()), 3))
            if time.perf_counter() - t0 >= pre_budget:
                break
    pretrained = {k: v.detach().clone() for k, v in model.state_dict().items()}
    pre_info = {"steps": steps, "seconds": round(time.perf_counter() - t0, 1), "loss_every_100": losses[-10:]}

    @torch.no_grad()
    def accuracy(m: Encoder, x: torch.Tensor, y: torch.Tensor) -> float:
        m.eval()
        right = 0
        for b in batches(x, 1024, False):
            with amp:
                pred = m.classify(x[b].to(device)).argmax(-1).cpu()
            right += int((pred == y[b]).sum())
        m.train()
        return right / len(y)

    def finetune(init: dict[str, torch.Tensor] | None, fold: int) -> tuple[Encoder, float, float]:
        m = Encoder().to(device)
        if init is not None:
            m.load_state_dict(init)
        train_shop = [(t, y) for k, y, t in shop if (k // 5) % 5 != fold]
        held = [(t, y) for k, y, t in shop if (k // 5) % 5 == fold]
        x = torch.cat([x_nsmc, encode([t for t, _ in train_shop]).repeat(SHOP_REPEAT, 1)])
        y = torch.cat([y_nsmc, torch.tensor([y for _, y in train_shop]).repeat(SHOP_REPEAT)])
        o = torch.optim.AdamW(m.parameters(), lr=args.lr, weight_decay=0.01)
        all_b = [b for _ in range(args.epochs) for b in batches(x, 256, True)]
        for i, b in enumerate(all_b):
            for g in o.param_groups:
                g["lr"] = args.lr * min(1.0, (i + 1) / 200) * (1 - i / len(all_b))
            with amp:
                loss = nn.functional.cross_entropy(m.classify(x[b].to(device)).float(), y[b].to(device))
            o.zero_grad(set_to_none=True)
            loss.backward()
            o.step()
        xs = encode([t for t, _ in held])
        ys = torch.tensor([y for _, y in held])
        return m, accuracy(m, xs, ys), accuracy(m, x_dev, y_dev)

    results: dict[str, Any] = {"device": dev_name, "pretrain": pre_info, "vocab": len(vocab)}
    last: Encoder | None = None
    for name, init in (("pretrained", pretrained), ("from_scratch", None)):
        shop_acc: list[float] = []
        dev_acc: list[float] = []
        t1 = time.perf_counter()
        for fold in range(5 if not args.smoke else 2):
            m, a_shop, a_dev = finetune(init, fold)
            shop_acc.append(round(a_shop, 4))
            dev_acc.append(round(a_dev, 4))
            last = m
            print(name, fold, a_shop, a_dev, round(time.perf_counter() - t_start), flush=True)
            results[name] = {"shopping_cv_per_fold": shop_acc, "nsmc_dev_per_fold": dev_acc}
            if args.partial is not None:  # what a run cut short still leaves behind
                args.partial.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        results[name] = {
            "shopping_cv_per_fold": shop_acc,
            "shopping_cv_mean": round(sum(shop_acc) / len(shop_acc), 4),
            "nsmc_dev_per_fold": dev_acc,
            "nsmc_dev_mean": round(sum(dev_acc) / len(dev_acc), 4),
            "seconds": round(time.perf_counter() - t1, 1),
        }
        if name == "pretrained" and args.skip_scratch:
            break

    # CPU inference speed of one fine-tuned model, one thread, batches of 64 (fp32).
    if last is not None:
        torch.set_num_threads(1)
        cpu_model = last.to("cpu").eval()
        texts = [t for _, _, t in shop if 40 <= len(t) <= 80][:1000]
        xs = encode(texts)
        with torch.no_grad():
            cpu_model.classify(xs[:64])
            t2 = time.perf_counter()
            for b in batches(xs, 64, False):
                cpu_model.classify(xs[b])
            results["cpu_one_thread_reviews_per_s"] = round(len(texts) / (time.perf_counter() - t2), 1)
        results["params"] = sum(p.numel() for p in cpu_model.parameters())
    results["total_s"] = round(time.perf_counter() - t_start, 1)
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out", type=Path, default=Path(".gpu"))
    p.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    r = sub.add_parser("run")
    r.add_argument("--data", type=Path, default=Path(".gpu"))
    r.add_argument("--out", type=Path, default=Path("bench/results"))
    r.add_argument("--pretrain-s", type=float, default=150.0)
    r.add_argument("--epochs", type=int, default=1)
    r.add_argument("--lr", type=float, default=2e-4)
    r.add_argument("--smoke", action="store_true", help="tiny sizes, to check the script on a CPU")
    r.add_argument("--cpu", action="store_true")
    r.add_argument("--skip-scratch", action="store_true")
    r.add_argument("--partial", type=Path, default=None, help="rewrite results here after every fold")
    args = ap.parse_args()
    if args.cmd == "prepare":
        prepare(args.out, args.shared)
        return
    res = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "neural_probe.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
