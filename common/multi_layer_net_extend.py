"""MultiLayerNet with switches for batch normalisation and dropout.

Introduced in notebook 06 (sections 6.3 and 6.4).

    >>> net = MultiLayerNetExtend(784, [100] * 6, 10, use_batchnorm=True, use_dropout=True, dropout_ration=0.2)

Each hidden layer becomes Affine -> [BatchNormalization] -> activation -> [Dropout]. Batch norm adds
the parameters gamma1, beta1, gamma2, ... (one pair per hidden layer). Layers that behave differently
while training (batch norm, dropout) get ``train_flg``: True inside ``gradient``, False by default
in ``predict``, ``loss`` and ``accuracy``.
"""

import numpy as np

from common.layers import BatchNormalization, Dropout
from common.multi_layer_net import MultiLayerNet

__all__ = ["MultiLayerNetExtend"]


class MultiLayerNetExtend(MultiLayerNet):
    """MultiLayerNet plus ``use_batchnorm`` and ``use_dropout``.

    The dropout ratio may be given with the book's spelling, ``dropout_ration``, or as
    ``dropout_ratio``. Dropout is the book's formulation; ``dropout_inverted=True`` gives inverted
    dropout (see ``common.layers.Dropout``).
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, use_dropout=False, dropout_ration=0.5, use_batchnorm=False,
                 dtype=np.float32, dropout_ratio=None, dropout_inverted=False):
        if dropout_ratio is not None and dropout_ration not in (0.5, dropout_ratio):
            raise ValueError(f"MultiLayerNetExtend: dropout_ration={dropout_ration!r} and dropout_ratio="
                             f"{dropout_ratio!r} disagree; give the ratio once (either spelling works)")
        self.use_dropout, self.use_batchnorm = use_dropout, use_batchnorm
        self.dropout_ratio = dropout_ration if dropout_ratio is None else dropout_ratio
        self.dropout_inverted = dropout_inverted
        super().__init__(input_size, hidden_size_list, output_size, activation, weight_init_std,
                         weight_decay_lambda, dtype)

    def _hidden_block(self, i, dtype):
        """[BatchNorm i] -> activation i -> [Dropout i], after hidden layer i's Affine."""
        block = {}
        if self.use_batchnorm:
            size = self.hidden_size_list[i - 1]
            block[f"BatchNorm{i}"] = BatchNormalization(np.ones(size, dtype=dtype), np.zeros(size, dtype=dtype))
        block.update(super()._hidden_block(i, dtype))
        if self.use_dropout:
            block[f"Dropout{i}"] = Dropout(self.dropout_ratio, inverted=self.dropout_inverted)
        return block

    @property
    def dropout_ration(self):
        """The book's spelling of ``dropout_ratio``."""
        return self.dropout_ratio
