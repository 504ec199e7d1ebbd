"""What a learner can choose on the Build and Train pages; links and presets obey the same.

A name ending in _RANGE is (lowest, highest); a plural name is the values offered, in order.
"""

# The network (Build page)
FILTERS_RANGE = (1, 64)  # filters per convolution layer
KERNEL_RANGE = (1, 7)  # kernel size k (a k×k filter)
POOL_RANGE = (1, 4)  # pool size p (a p×p window)
UNITS_RANGE = (1, 512)  # units in the hidden dense layer
DROPOUTS = tuple(round(0.05 * i, 2) for i in range(19))  # 0, 0.05, ..., 0.9

# The hyperparameters (Train page)
EPOCH_RANGE = (1, 20)
BATCH_SIZES = (16, 32, 64, 128, 256, 512)
LEARNING_RATES = (1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0)
VALIDATION_SPLITS = tuple(round(0.05 * i, 2) for i in range(7))  # 0, 0.05, ..., 0.3
TRAIN_IMAGES = (1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000)
SEED_RANGE = (0, 9999)
AUGMENTATIONS = tuple(round(0.1 * i, 1) for i in range(11))  # strength: 0 (none), 0.1, ..., 1
