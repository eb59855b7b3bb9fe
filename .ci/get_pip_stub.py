"""Stand-in for ansible-test's pip bootstrap script, whose download host CI cannot reach.

ansible-test runs it with runpy inside each new virtual environment, passing pip-install arguments.
ensurepip must run in a subprocess: in-process it clears the PIP_* environment and the machine's
pip configuration (and with it the CA settings pip needs for the package index).
"""
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ('--no-setuptools', '--no-wheel')]
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '-q', '--disable-pip-version-check'] + args))
