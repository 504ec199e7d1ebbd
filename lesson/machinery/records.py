"""A run as the store keeps it: its experiment, its results, its filters packed, its points."""

import math

from lesson.machinery import store as storage


def experiment_of(config, hp) -> dict:
    """A network and its hyperparameters as stored: every setting, written as in a link."""
    from lesson.tools import settings

    return settings.to_query(settings.Settings(config, hp), full=True)


def results_of(run) -> dict:
    """What a run measured, as stored: curves, scores, time and size."""
    return {
        "parameters": run.parameters,
        "seconds": run.seconds,
        "batches": list(run.batches),
        "epochs": list(run.epochs),
        "test": run.test,
        "steps_per_epoch": run.steps_per_epoch,
        "layers": len(run.snapshots[0]) if run.snapshots else 0,  # conv layers per snapshot
        # How many other runs shared its training, and whether it was kept from before.
        "shared": {"classmates": classmates(run), "before": bool(getattr(run, "reused", None))},
    }


def classmates(run) -> int:
    """How many other runs shared the run's training (0 for a run that has no such count)."""
    count = getattr(run, "classmates", None)
    return count() if callable(count) else 0


def weights_of(run) -> list | None:
    """A run's latest weights: as its worker sent them (no model built here), or its model's."""
    if callable(getattr(run, "weights", None)):
        return run.weights()
    return run.model.get_weights() if run.model is not None else None


def pack_snapshots(snapshots: list[list]) -> bytes | None:
    """[epoch][conv layer] arrays as one .npz, epoch by epoch."""
    if not snapshots:
        return None
    return storage.pack([kernel for epoch in snapshots for kernel in epoch])


def unpack_snapshots(blob: bytes | None, layers: int) -> list[list]:
    if not blob or layers < 1:
        return []
    arrays = storage.unpack(blob)
    return [arrays[i : i + layers] for i in range(0, len(arrays), layers)]


def numbers(point: dict) -> dict:
    """A stored curve point: a value JSON kept as null (no validation) is NaN again."""
    return {key: math.nan if value is None else value for key, value in point.items()}
