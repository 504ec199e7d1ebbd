"""What a learner can choose on the Build and Train pages; links and presets obey the same."""

FILTERS_RANGE = (1, 64)  # filters per convolution layer, lowest and highest
KERNELS = (1, 7)  # kernel sizes k (a k×k filter)
POOLS = (1, 4)  # pool sizes p (a p×p window)
UNITS_RANGE = (1, 512)  # units in the hidden dense layer
DROPOUTS = tuple(round(0.05 * i, 2) for i in range(19))  # 0, 0.05, ..., 0.9
SEEDS = (0, 9999)
AUGMENTATIONS = tuple(round(0.1 * i, 1) for i in range(11))  # strength: 0 (none), 0.1, ..., 1
