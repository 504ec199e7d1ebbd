"""The one command: `cnn-lesson [serve] [streamlit options]`, `cnn-lesson predict|bench|pretrain`.

`python -m lesson ...` is the same command.
"""

import sys

from lesson import quiet

USAGE = """\
usage: cnn-lesson [serve] [streamlit run options]   start the app (e.g. --server.port 8600)
       cnn-lesson predict IMAGE [IMAGE ...]         classify images as the Draw page does
       cnn-lesson bench [--store] [...]             the speed figures, one JSON object
       cnn-lesson pretrain [--epochs N] [...]       train the bundled pre-trained model again

Each command's --help says more; `cnn-lesson serve --help` lists Streamlit's options."""


COMMANDS = ("serve", "predict", "bench", "pretrain")


def main(argv: list[str] | None = None) -> int:
    """Run one command; the app when there is none."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = argv[0] if argv and not argv[0].startswith("-") else "serve"
    rest = argv[1:] if argv and argv[0] == command else argv
    if argv[:1] in (["-h"], ["--help"], ["help"]):
        print(USAGE)
        return 0
    quiet.install()  # before anything imports TensorFlow
    if command == "serve":
        from lesson.parts import server

        return server.serve(rest)
    if command == "predict":
        from lesson.tools import predict

        return predict.main(rest)
    if command == "bench":
        from lesson.tools import bench

        return bench.main(rest)  # with --check: 1 on a shortfall
    if command == "pretrain":
        from lesson.tools import pretrain

        pretrain.main(rest)
        return 0
    print(f"cnn-lesson: no command {command!r}\n\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
