"""``python -m jacobian_bp`` runs the command line, the walkthrough by default."""

import sys

from jacobian_bp.cli import main

sys.exit(main())
