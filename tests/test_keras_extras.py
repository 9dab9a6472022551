"""The project's own Keras 3 classes: values checked independently, and .keras save/load."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nncards_widget.keras_extras import (FixedLengthEmbedding, LocallyConnected1D,
                                         LocallyConnected2D, RadialConstraint, ThresholdedReLU)

RNG = np.random.default_rng(42)


def _roundtrip(model, x, tmp_path, name):
    path = tmp_path / f"{name}.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    return loaded


# -- LocallyConnected1D ------------------------------------------------------------------------

def _lc1d_numpy(x, kernel, bias, k, s):
    """Keras 2 semantics: output step i sees x[i*s : i*s+k] (flattened) times its own kernel."""
    n_out = (x.shape[1] - k) // s + 1
    out = np.stack([x[:, i * s:i * s + k, :].reshape(len(x), -1) @ kernel[i] + bias[i]
                    for i in range(n_out)], axis=1)
    return out


def test_locally_connected_1d_matches_a_manual_computation():
    layer = LocallyConnected1D(filters=4, kernel_size=3, strides=2, activation="relu",
                               kernel_initializer="random_normal", bias_initializer="random_normal")
    x = RNG.normal(size=(5, 10, 3)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == (5, 4, 4)
    assert tuple(layer.kernel.shape) == (4, 3 * 3, 4)  # unshared: one kernel per output step
    expected = np.maximum(_lc1d_numpy(x, layer.kernel.numpy(), layer.bias.numpy(), 3, 2), 0)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_locally_connected_1d_with_tied_weights_equals_conv1d():
    conv = keras.layers.Conv1D(2, 4, strides=1)
    x = RNG.normal(size=(3, 9, 2)).astype("float32")
    ref = keras.ops.convert_to_numpy(conv(x))
    lc = LocallyConnected1D(2, 4)
    lc.build(x.shape)
    k, b = conv.get_weights()
    positions = lc.kernel.shape[0]
    lc.set_weights([np.tile(k.reshape(1, -1, 2), (positions, 1, 1)), np.tile(b, (positions, 1))])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(lc(x)), ref, rtol=1e-5, atol=1e-5)
    assert lc.compute_output_shape((None, 9, 2)) == (None, 6, 2)


def test_locally_connected_needs_a_known_length():
    inp = keras.Input((None, 3))
    with pytest.raises(ValueError, match="known input length"):
        LocallyConnected1D(2, 3)(inp)


# -- LocallyConnected2D ------------------------------------------------------------------------

def test_locally_connected_2d_with_tied_weights_equals_conv2d():
    conv = keras.layers.Conv2D(3, (2, 3), strides=(2, 1))
    x = RNG.normal(size=(2, 6, 7, 2)).astype("float32")
    ref = keras.ops.convert_to_numpy(conv(x))
    lc = LocallyConnected2D(3, (2, 3), strides=(2, 1))
    lc.build(x.shape)
    k, b = conv.get_weights()
    positions = lc.kernel.shape[0]
    assert positions == ref.shape[1] * ref.shape[2]
    lc.set_weights([np.tile(k.reshape(1, -1, 3), (positions, 1, 1)), np.tile(b, (positions, 1))])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(lc(x)), ref, rtol=1e-5, atol=1e-5)


def test_locally_connected_2d_untied_weights_by_hand():
    lc = LocallyConnected2D(2, (2, 2), use_bias=False, kernel_initializer="random_normal")
    x = RNG.normal(size=(1, 3, 3, 1)).astype("float32")
    y = keras.ops.convert_to_numpy(lc(x))
    kernel = lc.kernel.numpy()
    for p, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        patch = x[0, i:i + 2, j:j + 2, :].reshape(-1)
        np.testing.assert_allclose(y[0, i, j], patch @ kernel[p], rtol=1e-5, atol=1e-6)


def test_locally_connected_2d_channels_first_is_the_transpose_of_channels_last():
    last = LocallyConnected2D(2, (3, 3), kernel_initializer="random_normal",
                              data_format="channels_last")
    first = LocallyConnected2D(2, (3, 3), data_format="channels_first")
    x = RNG.normal(size=(2, 5, 4, 3)).astype("float32")
    y_last = keras.ops.convert_to_numpy(last(x))
    x_first = np.moveaxis(x, -1, 1)
    first.build(x_first.shape)
    first.set_weights(last.get_weights())
    y_first = keras.ops.convert_to_numpy(first(x_first))
    np.testing.assert_allclose(np.moveaxis(y_first, 1, -1), y_last, rtol=1e-5, atol=1e-5)
    assert first.compute_output_shape((None, 3, 5, 4)) == (None, 2, 3, 2)


def test_locally_connected_save_load_and_training(tmp_path):
    inp = keras.Input((6, 6, 2))
    h = LocallyConnected2D(3, (3, 3), activation="tanh",
                           kernel_regularizer=keras.regularizers.L2(0.01))(inp)
    h = keras.layers.Reshape((4 * 4 * 3,))(h)
    h = keras.layers.Reshape((16, 3))(h)
    out = LocallyConnected1D(2, 4, strides=4)(h)
    model = keras.Model(inp, out)
    assert len(model.losses) == 1
    x = RNG.normal(size=(4, 6, 6, 2)).astype("float32")
    model.compile("sgd", "mse")
    model.fit(x, RNG.normal(size=(4, 4, 2)), verbose=0)
    loaded = _roundtrip(model, x, tmp_path, "lc")
    assert isinstance(loaded.layers[1], LocallyConnected2D)
    assert loaded.layers[1].get_config() == model.layers[1].get_config()


# -- ThresholdedReLU ---------------------------------------------------------------------------

@pytest.mark.parametrize("theta", [0.0, 0.5, 1.0, 2.5])
def test_thresholded_relu_values(theta):
    x = np.array([[-3.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.5, 4.0]], dtype="float32")
    y = keras.ops.convert_to_numpy(ThresholdedReLU(theta=theta)(x))
    np.testing.assert_array_equal(y, np.where(x > theta, x, 0.0))


def test_thresholded_relu_rejects_negative_theta():
    with pytest.raises(ValueError, match="theta"):
        ThresholdedReLU(theta=-1)


def test_thresholded_relu_save_load(tmp_path):
    inp = keras.Input((5,))
    model = keras.Model(inp, ThresholdedReLU(theta=0.3)(keras.layers.Dense(5)(inp)))
    loaded = _roundtrip(model, RNG.normal(size=(8, 5)).astype("float32"), tmp_path, "trelu")
    assert loaded.layers[-1].theta == pytest.approx(0.3)


# -- RadialConstraint --------------------------------------------------------------------------

def _ring(i, j, size):
    c = (size - 1) / 2
    return int(max(abs(i - c), abs(j - c)))


@pytest.mark.parametrize("size", [3, 4, 5])
def test_radial_constraint_output_is_radially_symmetric(size):
    w = RNG.normal(size=(size, size, 2, 3)).astype("float32")
    r = keras.ops.convert_to_numpy(RadialConstraint()(keras.ops.convert_to_tensor(w)))
    assert r.shape == w.shape
    # Invariant under the symmetries of the square (rotations and reflections).
    for t in (lambda a: np.rot90(a, 1, axes=(0, 1)), lambda a: np.flip(a, 0),
              lambda a: np.swapaxes(a, 0, 1)):
        np.testing.assert_allclose(t(r), r, rtol=1e-6, atol=1e-6)
    # One value per ring (per input/output channel), equal to the mean of that ring in ``w``.
    rings = {}
    for i in range(size):
        for j in range(size):
            rings.setdefault(_ring(i, j, size), []).append((i, j))
    for cells in rings.values():
        mean = np.mean([w[i, j] for i, j in cells], axis=0)
        for i, j in cells:
            np.testing.assert_allclose(r[i, j], mean, rtol=1e-5, atol=1e-6)
    # A projection: applying it twice changes nothing.
    again = keras.ops.convert_to_numpy(RadialConstraint()(keras.ops.convert_to_tensor(r)))
    np.testing.assert_allclose(again, r, rtol=1e-6, atol=1e-6)


def test_radial_constraint_applies_during_training_and_saves(tmp_path):
    inp = keras.Input((6, 6, 1))
    conv = keras.layers.Conv2D(2, (3, 3), kernel_constraint=RadialConstraint())
    model = keras.Model(inp, keras.layers.Flatten()(conv(inp)))
    model.compile("sgd", "mse")
    x = RNG.normal(size=(8, 6, 6, 1)).astype("float32")
    model.fit(x, RNG.normal(size=(8, 32)), verbose=0, epochs=2)
    k = conv.kernel.numpy()
    np.testing.assert_allclose(np.rot90(k, 1, axes=(0, 1)), k, rtol=1e-5, atol=1e-6)
    assert not np.allclose(k[0, 0], k[1, 1])  # centre and border rings differ
    loaded = _roundtrip(model, x, tmp_path, "radial")
    assert isinstance(loaded.layers[1].kernel_constraint, RadialConstraint)


# -- FixedLengthEmbedding ----------------------------------------------------------------------

def test_fixed_length_embedding_is_an_embedding_lookup_with_a_known_length(tmp_path):
    layer = FixedLengthEmbedding(30, 4, input_length=6, mask_zero=True)
    inp = keras.Input((None,), dtype="int32")
    out = layer(inp)
    assert tuple(out.shape) == (None, 6, 4)
    assert isinstance(layer, keras.layers.Embedding)
    ids = RNG.integers(0, 30, size=(3, 6))
    got = keras.ops.convert_to_numpy(layer(ids))
    np.testing.assert_allclose(got, layer.embeddings.numpy()[ids])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.compute_mask(ids)), ids != 0)
    plain = FixedLengthEmbedding(30, 4, input_length=6)  # no mask: Flatten would drop it
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(plain(inp))))
    loaded = _roundtrip(model, ids, tmp_path, "emb")
    assert loaded.layers[1].input_length == 6


def test_fixed_length_embedding_refuses_a_contradicting_length():
    with pytest.raises(ValueError, match="Input length is 6 but the input has length 4"):
        FixedLengthEmbedding(10, 2, input_length=6)(keras.Input((4,), dtype="int32"))
    with pytest.raises(ValueError, match="positive integer"):
        FixedLengthEmbedding(10, 2, input_length=0)
