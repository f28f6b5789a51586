# rationd — build, run, test, install.
# Each entry point installs the Debian packages it needs (root or sudo) when they are missing.

PREFIX      ?= /usr/local
DESTDIR     ?=
SWIFT       ?= swift
CONFIG      ?= debug
APT_PACKAGES = libsystemd-dev libzstd-dev pkg-config zstd logrotate systemd-journal-remote mandoc python3-venv
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build release run test install clean llm

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

release: deps
	$(SWIFT) build -c release

# The main job: mine templates from the bundled HDFS sample and print them.
run: deps
	$(SWIFT) build -c release --product rationd
	.build/release/rationd parse --log-format '<Date> <Time> <Pid> <Level> <Component>: <Content>' \
	  --summary Tests/TemplateMinerTests/Fixtures/HDFS_2k.log

# Local llama.cpp server + small model for the reasoning integration tests (PyPI only).
llm: deps
	scripts/llm-server setup

test: deps llm
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

clean:
	rm -rf .build
