"""`python -m lesson ...`: the same as the `cnn-lesson` command."""

import sys

from lesson.cli import main

sys.exit(main())
