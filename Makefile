# rationd — build, run, test, install.
# Each entry point installs the Debian packages it needs (root or sudo) when they are missing.

PREFIX      ?= /usr/local
DESTDIR     ?=
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
MANDIR      ?= $(PREFIX)/share/man
# journalctl --update-catalog reads /usr/local/lib/systemd/catalog besides /usr/lib/systemd/catalog.
CATALOGDIR  ?= $(PREFIX)/lib/systemd/catalog
# Build configuration installed by `make install` (release; debug for a quick trial).
INSTALL_CONFIG ?= release
SWIFT       ?= swift
CONFIG      ?= debug
APT_PACKAGES = libsystemd-dev libzstd-dev pkg-config zstd logrotate systemd-journal-remote mandoc python3-venv libcurl4 openssl binutils lintian
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Built into the binaries (rationd --version) and the .deb: git describe, see scripts/version.
VERSION_HEADER = scripts/version --write-header >/dev/null

.PHONY: all deps build release run parse-demo test llm check-unit check-man install uninstall deb clean

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
	$(VERSION_HEADER)
	$(SWIFT) build -c release

# The main job: the daemon on the built-in defaults (this machine's journal when journald runs,
# /var/log/*.log) with the local small-model LLM (verdicts labelled demo) and a demo log that
# raises alerts; prints alerts as they arrive. Temporary state only; Ctrl-C stops everything.
RUN_CONFIG ?= debug
run: deps
	$(SWIFT) build -c $(RUN_CONFIG) --product rationd
	$(SWIFT) build -c $(RUN_CONFIG) --product rationctl
	scripts/run-daemon .build/$(RUN_CONFIG)

# Template mining of the bundled HDFS sample (the former `make run`).
parse-demo: deps
	$(SWIFT) build -c release --product rationlab
	.build/release/rationlab parse --log-format '<Date> <Time> <Pid> <Level> <Component>: <Content>' \
	  --summary Tests/TemplateMinerTests/Fixtures/HDFS_2k.log

# Local llama.cpp server + small model for the reasoning integration tests (PyPI only).
llm: deps
	scripts/llm-server setup

test: deps llm
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/run-tests
	scripts/check-unit
	scripts/check-man
	@if [ "$$(id -u)" = 0 ]; then SWIFT=$(SWIFT) scripts/check-deb; else echo "check-deb skipped: needs root (it installs and purges the package)"; fi

# systemd-analyze verify (no stderr) and security --offline=yes exposure <= 2.0 for the unit.
check-unit:
	$(SWIFT) build --product rationd
	scripts/check-unit

# mandoc -T lint -W warning for every page; rationd.toml.5 current with etc/rationd/rationd.toml.
check-man:
	scripts/check-man

# Binaries, unit, configuration (never overwriting an existing one) and its drop-in directory,
# empty API key credential file, man pages. Installs only what it builds: no apt calls (the
# build needs libsystemd-dev and libzstd-dev; `make deps` installs them).
# Afterwards: systemctl daemon-reload && systemctl enable --now rationd
install:
	$(VERSION_HEADER)
	$(SWIFT) build -c $(INSTALL_CONFIG) --product rationd
	$(SWIFT) build -c $(INSTALL_CONFIG) --product rationctl
	$(SWIFT) build -c $(INSTALL_CONFIG) --product rationlab
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/rationd/rationd.toml.d \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(CATALOGDIR)
	install -m 0755 .build/$(INSTALL_CONFIG)/rationd .build/$(INSTALL_CONFIG)/rationctl .build/$(INSTALL_CONFIG)/rationlab \
	  $(DESTDIR)$(PREFIX)/bin/
	sed -e 's|/usr/local/bin/|$(PREFIX)/bin/|g' -e 's|/etc/rationd/|$(SYSCONFDIR)/rationd/|g' \
	  systemd/rationd.service > $(DESTDIR)$(UNITDIR)/rationd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/rationd.service
	[ -e $(DESTDIR)$(SYSCONFDIR)/rationd/rationd.toml ] || \
	  install -m 0644 etc/rationd/rationd.toml $(DESTDIR)$(SYSCONFDIR)/rationd/rationd.toml
	[ -e $(DESTDIR)$(SYSCONFDIR)/rationd/llm-api-key ] || \
	  install -m 0600 /dev/null $(DESTDIR)$(SYSCONFDIR)/rationd/llm-api-key
	install -m 0644 man/rationctl.1 man/rationlab.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/rationd.toml.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/rationd.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 systemd/rationd.catalog $(DESTDIR)$(CATALOGDIR)/
	[ -n "$(DESTDIR)" ] || journalctl --update-catalog || true

# Removes what `make install` put there, except the configuration, the key and the state
# (/etc/rationd, /var/lib/rationd): remove those by hand when they should go too.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rationd $(DESTDIR)$(PREFIX)/bin/rationctl $(DESTDIR)$(PREFIX)/bin/rationlab \
	  $(DESTDIR)$(UNITDIR)/rationd.service $(DESTDIR)$(MANDIR)/man1/rationctl.1 $(DESTDIR)$(MANDIR)/man1/rationlab.1 $(DESTDIR)$(MANDIR)/man5/rationd.toml.5 $(DESTDIR)$(MANDIR)/man8/rationd.8 \
	  $(DESTDIR)$(CATALOGDIR)/rationd.catalog
	[ -n "$(DESTDIR)" ] || journalctl --update-catalog || true

# rationd_VERSION_ARCH.deb in .build-deb/ (static Swift runtime; see scripts/make-deb).
deb: deps
	SWIFT=$(SWIFT) scripts/make-deb

clean:
	rm -rf .build .build-static .build-deb
