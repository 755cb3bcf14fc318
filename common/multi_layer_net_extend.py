"""MultiLayerNet with switches for batch normalisation and dropout.

Introduced in notebook 06 (sections 6.3 and 6.4).

    >>> net = MultiLayerNetExtend(784, [100] * 6, 10, use_batchnorm=True, use_dropout=True, dropout_ratio=0.2)

Each hidden layer becomes Affine -> [BatchNormalization] -> activation -> [Dropout]. Batch norm adds
the parameters gamma1, beta1, gamma2, ... (one pair per hidden layer). Layers that behave differently
while training (batch norm, dropout) get ``train_flg``: True inside ``gradient``, False by default
in ``predict``, ``loss`` and ``accuracy``.
"""

import numpy as np

from common.layers import Affine, BatchNormalization, Dropout
from common.multi_layer_net import ACTIVATION_LAYERS, MultiLayerNet


class MultiLayerNetExtend(MultiLayerNet):
    """MultiLayerNet plus ``use_batchnorm`` and ``use_dropout`` (with ``dropout_ratio``).

    The book spells the last keyword ``dropout_ration``; here it is ``dropout_ratio``.
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, use_dropout=False, dropout_ratio=0.5, use_batchnorm=False,
                 dtype=np.float32):
        self.use_dropout, self.dropout_ratio, self.use_batchnorm = use_dropout, dropout_ratio, use_batchnorm
        super().__init__(input_size, hidden_size_list, output_size, activation, weight_init_std,
                         weight_decay_lambda, dtype)

    def _build_layers(self):
        activation_layer = ACTIVATION_LAYERS[self.activation]
        for i in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            if self.use_batchnorm:
                size = self.hidden_size_list[i - 1]
                self.params[f"gamma{i}"] = np.ones(size, dtype=self.dtype)
                self.params[f"beta{i}"] = np.zeros(size, dtype=self.dtype)
                self.layers[f"BatchNorm{i}"] = BatchNormalization(self.params[f"gamma{i}"], self.params[f"beta{i}"])
            self.layers[f"{activation_layer.__name__}{i}"] = activation_layer()
            if self.use_dropout:
                self.layers[f"Dropout{i}"] = Dropout(self.dropout_ratio)
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = Affine(self.params[f"W{last}"], self.params[f"b{last}"])

    def _forward_layer(self, layer, x, train_flg):
        if isinstance(layer, (BatchNormalization, Dropout)):
            return layer.forward(x, train_flg)
        return layer.forward(x)

    def gradient(self, x, t):
        grads = super().gradient(x, t)
        if self.use_batchnorm:
            for i in range(1, self.hidden_layer_num + 1):
                grads[f"gamma{i}"] = self.layers[f"BatchNorm{i}"].dgamma
                grads[f"beta{i}"] = self.layers[f"BatchNorm{i}"].dbeta
        return grads
