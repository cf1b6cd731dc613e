# A local S3-compatible server (SeaweedFS from the Go module proxy; moto as fallback) on loopback, for the
# S3 lake's contract tests. deploy/local/s3.sh says how it is built, where it keeps data and logs.
#   make s3-install   build/install it (the first SeaweedFS build takes minutes; cached in ~/.cache/highpipe)
#   make s3-up        install if needed, start on 127.0.0.1:$(HIGHPIPE_S3_PORT), wait until ready
#   make s3-down      stop it           make s3-status   one line
HIGHPIPE_S3_PORT ?= 18333
export HIGHPIPE_S3_PORT
# What the lake contract tests use (a bucket they may fill and empty) and the throwaway local dev key.
HIGHPIPE_TEST_S3_URL ?= s3://highpipe-test?endpoint=http://127.0.0.1:$(HIGHPIPE_S3_PORT)&region=us-east-1&create_bucket=1
HIGHPIPE_TEST_S3_ACCESS_KEY ?= highpipe-local
HIGHPIPE_TEST_S3_SECRET_KEY ?= highpipe-local-secret
export HIGHPIPE_TEST_S3_URL HIGHPIPE_TEST_S3_ACCESS_KEY HIGHPIPE_TEST_S3_SECRET_KEY

.PHONY: s3-install s3-up s3-down s3-status

s3-install:
	@deploy/local/s3.sh install

s3-up:
	@deploy/local/s3.sh up

s3-down:
	@deploy/local/s3.sh down

s3-status:
	@deploy/local/s3.sh status

TEST_PREREQS += s3-up
contract pytest: s3-up
# CI leaves nothing running behind it; on a developer's machine the server stays up for the next run.
ifeq ($(CI),true)
TEST_EXTRA += s3-down
endif
