# Set-up and entry points. `make run` starts the app; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LLAMA_VERSION := $(shell sed -n 's/^llama_cpp_python==//p' requirements.lock)
# llama.cpp is compiled for a portable x86-64 baseline (AVX2, FMA, F16C), not for this CPU: a
# native build enables AMX where the CPU reports it, and on such a VM the embedding model and
# long prompts crashed (segfault in llama_decode). The wheel is kept under a name that carries
# the flags, so pip's own cache (keyed by version only) never hands back a native build.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
LLAMA_FLAGS_ID := $(shell printf '%s' '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
LLAMA_WHEELS := $(HOME)/.cache/glassbox/llama-$(LLAMA_VERSION)-$(LLAMA_FLAGS_ID)

.PHONY: run test setup model lint bench clean

run: setup model
	$(BIN)/glassbox

test: setup model
	@if $(BIN)/python -c "import docker; docker.from_env().ping()" >/dev/null 2>&1; then \
		$(BIN)/glassbox sandbox build; \
	else \
		echo "Docker engine not reachable: sandbox tests will skip (they fail under CI=true)."; \
	fi
	$(BIN)/python -m pytest -q

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@if ! ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
		echo "Compiling llama.cpp (llama-cpp-python $(LLAMA_VERSION)): about 6 minutes on 2 cores, once."; \
		CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip wheel --quiet --no-deps --no-cache-dir \
			--no-binary llama-cpp-python "llama-cpp-python==$(LLAMA_VERSION)" -w $(LLAMA_WHEELS).tmp && \
		mv $(LLAMA_WHEELS).tmp $(LLAMA_WHEELS); \
	fi
	$(BIN)/python -m pip install --quiet --no-deps --force-reinstall $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

model: setup
	$(BIN)/glassbox models pull smollm2

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV)
