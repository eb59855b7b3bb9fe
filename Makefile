# The two commands of the README: `make demo` and `make test`.
.PHONY: demo test simulator

demo:
	bash scripts/demo

test:
	bash scripts/test

simulator:
	bash scripts/simulator
