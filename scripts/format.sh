#!/usr/bin/env bash
# Checks (default) or fixes (--fix) formatting with swift-format and .swift-format.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--fix" ]]; then
    swift format format --in-place --recursive Sources Tests Package.swift
else
    swift format lint --strict --recursive Sources Tests Package.swift
fi
