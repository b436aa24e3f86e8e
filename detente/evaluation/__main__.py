"""``python -m detente.evaluation DIR``: the same as ``detente eval DIR``."""

import sys

from detente.evaluation.runner import main

sys.exit(main())
