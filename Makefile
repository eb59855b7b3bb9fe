# The two commands of the README: `make demo` and `make test`.
# `make simulator` starts the bundled simulator and writes inventories for the example playbooks;
# `make install` installs the collection where ansible finds it (for ansible-doc and the playbooks).
.PHONY: demo test simulator install

demo:
	bash scripts/demo

test:
	bash scripts/test

simulator:
	bash scripts/simulator

install:
	bash scripts/install
