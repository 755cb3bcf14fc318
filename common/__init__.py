"""common: the shared package of the study notebooks, grown chapter by chapter (see README.md).

Importing it makes one process-wide setting: freed memory is kept for reuse by the next training
step instead of being returned to the operating system at once (common/allocator.py explains why:
it makes a convolutional network's training step up to 30 % faster on Linux).
"""

from common import allocator  # noqa: F401  (the setting is made on import)
