"""Keras 3 classes of the project's own, for cards whose Keras 2 class is gone.

``LocallyConnected1D``, ``LocallyConnected2D``, ``ThresholdedReLU`` and ``RadialConstraint`` were
removed in Keras 3; ``Embedding`` lost ``input_length``. Each class here is small, registered with
``keras.saving`` under the ``nncards_widget`` package, and round-trips through ``get_config()`` so a
model built from cards saves to ``.keras`` and loads back.
"""

from __future__ import annotations

import keras
from keras import ops

PACKAGE = "nncards_widget"

__all__ = ["LocallyConnected1D", "LocallyConnected2D", "ThresholdedReLU", "RadialConstraint",
           "FixedLengthEmbedding"]


def _tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"{name} must be an integer or {n} integers; received {value!r}")
    return value


def _data_format(value):
    return value or keras.config.image_data_format()


@keras.saving.register_keras_serializable(package=PACKAGE)
class ThresholdedReLU(keras.layers.Layer):
    """``f(x) = x`` where ``x > theta``, else 0.

    Args:
        theta: Threshold (a number >= 0): values at or below it become 0, values above it
            pass unchanged.
    """

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None or float(theta) < 0:
            raise ValueError(f"theta of a ThresholdedReLU must be a number >= 0; "
                             f"received {theta!r}")
        self.theta = float(theta)
        self.supports_masking = True

    def call(self, inputs):
        return inputs * ops.cast(ops.greater(inputs, self.theta), inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "theta": self.theta}


@keras.saving.register_keras_serializable(package=PACKAGE)
class RadialConstraint(keras.constraints.Constraint):
    """Makes each 2D kernel radially symmetric: every weight becomes the mean of its ring.

    Rings are the squares of equal Chebyshev distance from the kernel's centre, so a 3x3 kernel
    has two values (centre, border). Applies to kernels of shape ``(h, w, ...)``; other shapes
    are returned unchanged.
    """

    def __call__(self, w):
        shape = tuple(w.shape)
        if len(shape) < 2 or shape[0] != shape[1]:
            return w
        size = shape[0]
        centre = (size - 1) / 2.0
        rings = {}
        for i in range(size):
            for j in range(size):
                rings.setdefault(int(max(abs(i - centre), abs(j - centre))), []).append((i, j))
        out = ops.zeros_like(w)
        for cells in rings.values():
            mask = [[0.0] * size for _ in range(size)]
            for i, j in cells:
                mask[i][j] = 1.0
            mask = ops.reshape(ops.convert_to_tensor(mask, dtype=w.dtype),
                               (size, size) + (1,) * (len(shape) - 2))
            mean = ops.sum(w * mask, axis=(0, 1), keepdims=True) / float(len(cells))
            out = out + mask * mean
        return out

    def get_config(self):
        return {}


class _LocallyConnected(keras.layers.Layer):
    """Shared code of the 1D and 2D locally connected layers (unshared-weight convolution).

    Args:
        filters: Number of output filters, i.e. the size of the last axis of the output.
        kernel_size: Size of the window each output position sees (an integer, or one per
            spatial axis).
        strides: Step between two windows (an integer, or one per spatial axis).
        data_format: Where the channels are: "channels_last" (the default, from
            `keras.config.image_data_format()`) or "channels_first".
        activation: Activation applied to the output; None applies none (linear).
        use_bias: Whether each output position adds its own bias vector.
        kernel_initializer: Initializer of the unshared kernel.
        bias_initializer: Initializer of the bias.
        kernel_regularizer: Regularizer applied to the kernel.
        bias_regularizer: Regularizer applied to the bias.
        kernel_constraint: Constraint applied to the kernel after each update.
        bias_constraint: Constraint applied to the bias after each update.
    """

    rank = None

    def __init__(self, filters, kernel_size, strides=1, data_format=None, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"filters must be a positive integer; received {filters!r}")
        self.filters = filters
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.data_format = _data_format(data_format)
        self.activation = keras.activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)

    def _spatial(self, shape):
        return shape[2:] if self.data_format == "channels_first" else shape[1:-1]

    def _channels(self, shape):
        return shape[1] if self.data_format == "channels_first" else shape[-1]

    def _output_spatial(self, spatial):
        out = []
        for size, k, s in zip(spatial, self.kernel_size, self.strides, strict=False):
            if size is None:
                raise ValueError(f"{type(self).__name__} needs a known input length on every "
                                 f"spatial axis; received input with spatial shape "
                                 f"{tuple(spatial)}")
            n = (size - k) // s + 1
            if n < 1:
                raise ValueError(f"{type(self).__name__}: kernel_size {self.kernel_size} is larger "
                                 f"than the input's spatial shape {tuple(spatial)}")
            out.append(n)
        return tuple(out)

    def build(self, input_shape):
        channels = self._channels(input_shape)
        positions = 1
        self.output_spatial = self._output_spatial(self._spatial(input_shape))
        for n in self.output_spatial:
            positions *= n
        patch = channels
        for k in self.kernel_size:
            patch *= k
        self.kernel = self.add_weight(name="kernel", shape=(positions, patch, self.filters),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(positions, self.filters),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _patches(self, x):
        """(batch, positions, patch) from a channels-last input."""
        raise NotImplementedError

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = ops.moveaxis(x, 1, -1)
        patches = self._patches(x)
        y = ops.einsum("bpk,pkf->bpf", patches, self.kernel)
        if self.use_bias:
            y = y + self.bias
        y = ops.reshape(y, (-1,) + self.output_spatial + (self.filters,))
        if self.data_format == "channels_first":
            y = ops.moveaxis(y, -1, 1)
        return self.activation(y)

    def compute_output_shape(self, input_shape):
        spatial = self._output_spatial(self._spatial(input_shape))
        if self.data_format == "channels_first":
            return (input_shape[0], self.filters) + spatial
        return (input_shape[0],) + spatial + (self.filters,)

    def get_config(self):
        ser = keras.saving.serialize_keras_object
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "data_format": self.data_format,
                "activation": keras.activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": ser(self.kernel_initializer),
                "bias_initializer": ser(self.bias_initializer),
                "kernel_regularizer": ser(self.kernel_regularizer),
                "bias_regularizer": ser(self.bias_regularizer),
                "kernel_constraint": ser(self.kernel_constraint),
                "bias_constraint": ser(self.bias_constraint)}


@keras.saving.register_keras_serializable(package=PACKAGE)
class LocallyConnected1D(_LocallyConnected):
    """Like Conv1D, but each output step has its own weights (no weight sharing)."""

    rank = 1

    def _patches(self, x):
        (k,), (s,) = self.kernel_size, self.strides
        steps = [ops.reshape(x[:, i * s:i * s + k, :], (-1, 1, k * x.shape[-1]))
                 for i in range(self.output_spatial[0])]
        return ops.concatenate(steps, axis=1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class LocallyConnected2D(_LocallyConnected):
    """Like Conv2D, but each output position has its own weights (no weight sharing)."""

    rank = 2

    def _patches(self, x):
        (kh, kw), (sh, sw) = self.kernel_size, self.strides
        rows, cols = self.output_spatial
        patch = kh * kw * x.shape[-1]
        cells = [ops.reshape(x[:, i * sh:i * sh + kh, j * sw:j * sw + kw, :], (-1, 1, patch))
                 for i in range(rows) for j in range(cols)]
        return ops.concatenate(cells, axis=1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class FixedLengthEmbedding(keras.layers.Embedding):
    """Keras 3 ``Embedding`` plus the Keras 2 ``input_length``: a sequence length fixed at build.

    With it, the output has a known length, so Flatten then Dense can follow, as on the card.
    """

    def __init__(self, input_dim, output_dim, input_length=None, **kwargs):
        super().__init__(input_dim, output_dim, **kwargs)
        if input_length is not None and (not isinstance(input_length, int) or input_length < 1):
            raise ValueError(f"input_length must be a positive integer or None; "
                             f"received {input_length!r}")
        self.input_length = input_length

    def _check_length(self, input_shape):
        if self.input_length is None or len(input_shape) < 2:
            return
        known = input_shape[1]
        if known is not None and known != self.input_length:
            raise ValueError(f"Input length is {self.input_length} but the input has length "
                             f"{known} (input shape {tuple(input_shape)}): set Input length to "
                             f"{known} or leave it empty")

    def build(self, input_shape=None):
        if input_shape is not None:
            self._check_length(input_shape)
        super().build(input_shape)

    def call(self, inputs):
        outputs = super().call(inputs)
        if self.input_length is not None:
            outputs = ops.reshape(outputs, (-1, self.input_length) + tuple(outputs.shape[2:]))
        return outputs

    def compute_output_shape(self, input_shape):
        shape = super().compute_output_shape(input_shape)
        if self.input_length is not None:
            shape = (shape[0], self.input_length) + tuple(shape[2:])
        return shape

    def get_config(self):
        return {**super().get_config(), "input_length": self.input_length}
