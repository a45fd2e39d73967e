# SynthStudio — `make run` and `make test` do all the set-up on a fresh Debian machine.

# The system packages every build needs, in one place. Later modules add theirs here.
APT_PACKAGES := libncursesw5-dev libpng-dev libturbojpeg0-dev libsqlite3-dev libxml2 libxml2-dev libembree-dev libdnnl-dev libassimp-dev assimp-testmodels libopenexr-dev tmux
# Tools the benchmarks compare against or use (installed by `make bench` only).
BENCH_APT_PACKAGES := imagemagick libsixel-bin chafa blender python3-numpy dataset-fashion-mnist
# Seconds of training per row of the GAN quality table (the issue asks for 300; lower it for a quick look).
GAN_QUALITY_SECONDS ?= 300

SWIFT ?= swift
WORKSPACE ?= sample-data
RELEASE_BIN := .build/release/synthstudio

.PHONY: run test build release bench judge fuzz deps bench-deps clean lint

run: deps release
	$(RELEASE_BIN) $(WORKSPACE)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test

build: deps
	$(SWIFT) build

# Release builds link the Swift runtime and Foundation statically: the CLI starts in ~6 ms
# instead of ~12 ms, which matters for a command run once per image or per shard.
RELEASE_FLAGS := -c release --static-swift-stdlib

release: deps
	$(SWIFT) build $(RELEASE_FLAGS) --product synthstudio

bench: deps bench-deps
	$(SWIFT) build $(RELEASE_FLAGS) --product synthstudio
	$(SWIFT) build $(RELEASE_FLAGS) --product synthstudio-bench
	.build/release/synthstudio-bench probe
	.build/release/synthstudio-bench graphics
	.build/release/synthstudio-bench catalog
	.build/release/synthstudio-bench reading
	.build/release/synthstudio-bench jobs
	.build/release/synthstudio-bench tui
	.build/release/synthstudio-bench render
	.build/release/synthstudio-bench assets
	.build/release/synthstudio-bench health
	.build/release/synthstudio-bench gan
	.build/release/synthstudio-bench gan-step-check resnet
	.build/release/synthstudio-bench gan-step-check dcgan
	.build/release/synthstudio-bench gan-step-check resnet 5 1
	.build/release/synthstudio-bench gan-quality $(GAN_QUALITY_SECONDS)

# Realism judged by a model trained on real photos: OpenCV's HOG people detector scores crops of
# 100 rendered 640×480 street images (scripts/hog_judge.py); montages of the crops and of the
# scenes with boxes go to JUDGE_OUT. A figure to steer by, not a test.
JUDGE_OUT ?= /tmp/synthstudio-judge
judge: deps release
	@python3 -c "import cv2, PIL, numpy" 2>/dev/null || python3 -m pip install --quiet "opencv-contrib-python-headless<5" pillow numpy
	rm -rf $(JUDGE_OUT) && mkdir -p $(JUDGE_OUT)
	python3 scripts/hog_judge.py $(JUDGE_OUT)/render --render 100 --binary $(RELEASE_BIN) \
		--montage $(JUDGE_OUT)/crops.png --scenes $(JUDGE_OUT)/scenes.png

# Coverage-guided fuzzing of every reader of outside input (libFuzzer + AddressSanitizer), each
# target FUZZ_SECONDS (default 60). Not part of `make test`; crashers found go into the corpus.
fuzz: deps
	scripts/fuzz.sh

# Installs the missing Debian packages: with apt-get as root, with sudo when it is available
# without a password, otherwise prints the exact command to run and stops.
deps:
	@scripts/ensure-packages.sh $(APT_PACKAGES)

bench-deps:
	@scripts/ensure-packages.sh $(BENCH_APT_PACKAGES)
	@python3 -c "import PIL" 2>/dev/null || python3 -m pip install --quiet pillow
	@# PyTorch (CPU build: a local wheel when the machine has one, else PyTorch's CPU index) for the GAN peer.
	@python3 -c "import torch" 2>/dev/null || { wheel=$$(ls /opt/wheels/torch-*cpu*.whl 2>/dev/null | head -1); \
		python3 -m pip install --quiet $${wheel:-torch --index-url https://download.pytorch.org/whl/cpu}; }
	@python3 -c "import safetensors" 2>/dev/null || python3 -m pip install --quiet safetensors
	@# The COCO readers the reading bench compares with.
	@python3 -c "import pycocotools, orjson" 2>/dev/null || python3 -m pip install --quiet pycocotools orjson
	@# The dataset-health peer.
	@python3 -c "import cleanvision" 2>/dev/null || python3 -m pip install --quiet cleanvision

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks Package.swift

clean:
	rm -rf .build .build-fuzz
