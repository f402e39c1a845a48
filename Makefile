# etcdtls.cluster: every entry point for developers and CI.
#   make test   the whole suite: lint, unit tests, collection build, ansible-test sanity, molecule
#   make demo   a local 3-member TLS etcd cluster in podman containers, deployed by site.yml
#   make demo-destroy   remove the demo containers
#   make bench  the PKI, deploy and rotation benchmarks
#   make compat the tests and sanity on the older ansible-core releases the collection supports
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
ARTIFACT := build/etcdtls-cluster-$(VERSION).tar.gz
SANITY_ROOT := build/sanity/ansible_collections/etcdtls/cluster

.PHONY: help bootstrap bootstrap-podman lint units functional build sanity molecule compat test demo demo-destroy bench clean

help:
	@sed -n 's/^#   //p' Makefile

# .venv gets the development requirements. A compat venv (make compat: VENV=.venv-core-X.Y) is scripts/compat.sh's,
# with its own ansible-core pinned: bootstrapping it would install the development requirements (ansible-core 2.19)
# over it, and its sanity and molecule runs would no longer run the release they name.
bootstrap:
	@if [ "$(VENV)" = .venv ]; then scripts/bootstrap.sh; fi

bootstrap-podman:
	@scripts/bootstrap.sh --podman

lint: bootstrap
	yamllint --strict .
	ruff check .
	ruff format --check .
	# Its own Ansible home: an installed copy of this collection in ~/.ansible must not shadow the checkout.
	ANSIBLE_HOME=$(CURDIR)/.cache/ansible-home ansible-lint --strict
	antsibull-changelog lint

units: bootstrap
	pytest -q tests/unit

functional: bootstrap
	pytest -q tests/functional

build: bootstrap
	@mkdir -p build
	ansible-galaxy collection build --force --output-path build .


# ansible-test sanity runs on the built artifact, unpacked under ansible_collections/ as it
# requires, in a throw-away git repository so that it sees exactly the shipped files.
sanity: build
	@v=$$(sed -n "s/^ *pip='\([0-9.]*\)',$$/\1/p" $(VENV)/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py); \
	  test -n "$$v" && mkdir -p ~/.ansible/test/cache && cp scripts/get_pip_offline.py ~/.ansible/test/cache/get_pip_$${v//./_}.py
	rm -rf build/sanity && mkdir -p $(SANITY_ROOT)
	tar -xzf $(ARTIFACT) -C $(SANITY_ROOT)
	cd $(SANITY_ROOT) && git init -q && git add -A && git -c user.name=sanity -c user.email=sanity@localhost commit -qm sanity
	cd $(SANITY_ROOT) && ansible-test sanity --color no --python $$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])') --requirements

molecule: bootstrap-podman
	tests/molecule.sh

# ansible-core 2.19 is .venv's; each older supported release gets its own venv.
CORE_VERSIONS := 2.16.19 2.17.14 2.18.19
compat: bootstrap-podman
	scripts/compat.sh $(CORE_VERSIONS)

test: lint units functional sanity molecule compat

demo: bootstrap-podman
	scripts/demo.sh

demo-destroy: bootstrap
	scripts/demo.sh destroy

bench: bootstrap-podman
	python benchmarks/pki_bench.py
	python benchmarks/deploy_bench.py
	python benchmarks/rotate_bench.py

clean:
	rm -rf build .venv-core-*
