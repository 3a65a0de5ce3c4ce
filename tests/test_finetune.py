"""``digitrec finetune``: real digits from labelled pictures, training on, resuming after a stop."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from digitrec import finetune
from digitrec.backend import keras
from digitrec.cli import main
from digitrec.data import LabelledItem, load_labelled_folders
from digitrec.finetune import FinetuneConfig, FinetuneError, RealDigits
from digitrec.model import averaged, build_model, members_of


def _number_picture(path, text: str) -> None:
    """Dark digits on white paper, as a scanned form shows them."""
    image = np.full((120, 60 + 70 * len(text), 3), 255, np.uint8)
    cv2.putText(image, text, (30, 95), cv2.FONT_HERSHEY_SIMPLEX, 3, (20, 20, 20), 9, cv2.LINE_AA)
    cv2.imwrite(str(path), image)


@pytest.fixture()
def labelled(tmp_path):
    """Two labelled folders: forms with numbers (one mislabelled with a digit too few) and a broken file."""
    forms = tmp_path / "pictures" / "forms"
    forms.mkdir(parents=True)
    _number_picture(forms / "seven.png", "7")
    _number_picture(forms / "number.png", "406")
    _number_picture(forms / "short_label.png", "52")
    (forms / "labels.csv").write_text("file,label,kind\nseven.png,7,single\nnumber.png,406,multi\nshort_label.png,5,multi\n")
    broken = tmp_path / "pictures" / "broken"
    broken.mkdir()
    (broken / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    (broken / "labels.csv").write_text("file,label,kind\ncut.png,3,single\n")
    return tmp_path / "pictures"


def test_real_digits_pairs_each_input_with_its_label_digit(labelled, recognizer):
    real = finetune.real_digits(load_labelled_folders(labelled), recognizer, progress=False)
    assert real.items_used == 2
    assert real.y.tolist() == [7, 4, 0, 6]
    assert real.x.shape == (4, 28, 28) and real.x.dtype == np.float32
    assert 0.0 <= real.x.min() and real.x.max() <= 1.0
    reading = recognizer.read(labelled / "forms" / "number.png")
    assert np.array_equal(real.x[1:], np.stack([np.asarray(d.input).reshape(28, 28) for d in reading.digits]))
    assert len(real.skipped) == 2
    assert any("short_label.png: read 2 digits, the label has 1" in reason for reason in real.skipped)
    assert any("cut.png" in reason for reason in real.skipped)


def test_excluded_folders_are_left_out_and_unknown_names_refused():
    sources = {"a": [LabelledItem(None, "1", "single")], "b": [LabelledItem(None, "2", "single")]}
    assert list(finetune.kept_folders(sources, ("a",))) == ["b"]
    with pytest.raises(FinetuneError, match="--exclude c: no such labelled folder; the folders are: a, b"):
        finetune.kept_folders(sources, ("c",))
    with pytest.raises(FinetuneError, match="leaves no labelled folder"):
        finetune.kept_folders(sources, ("a", "b"))


def test_mixed_appends_repeat_copies_of_the_real_digits():
    base = (np.zeros((5, 28, 28), np.float32), np.zeros(5, np.uint8))
    real = RealDigits(np.ones((2, 28, 28), np.float32), np.array([3, 8]), items_used=1)
    x, y = finetune.mixed(base, real, repeat=3)
    assert x.shape == (11, 28, 28) and x[5:].min() == 1.0
    assert y.tolist() == [0] * 5 + [3, 8] * 3


def _bars(count: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Vertical bars labelled 1, horizontal bars labelled 0, at random places."""
    x = np.zeros((count, 28, 28), np.float32)
    y = rng.integers(0, 2, count)
    for image, label, place in zip(x, y, rng.integers(6, 22, count)):
        if label:
            image[4:24, place - 1: place + 2] = 1.0
        else:
            image[place - 1: place + 2, 4:24] = 1.0
    return x, y


def test_training_on_teaches_the_network_and_leaves_the_original_alone():
    from digitrec.classifier import Classifier

    rng = np.random.default_rng(0)
    x, y = _bars(512, rng)
    network = build_model("fast")
    before = [weights.copy() for weights in network.get_weights()]
    trained = finetune.train_on(network, x, y, FinetuneConfig(epochs=3, learning_rate=1e-2, warmup_steps=4, batch_size=32),
                                seed=1, verbose=False)
    assert all(np.array_equal(a, b) for a, b in zip(before, network.get_weights()))
    x_new, y_new = _bars(200, rng)
    assert (Classifier(model=trained).predict_proba(x_new).argmax(axis=1) == y_new).mean() > 0.9
    assert getattr(trained, "optimizer", None) is None  # saved without optimizer state


def test_last_blocks_learn_while_the_layers_before_them_keep_their_weights():
    from digitrec.classifier import Classifier

    rng = np.random.default_rng(0)
    x, y = _bars(512, rng)
    network = build_model("fast")
    config = FinetuneConfig(epochs=3, learning_rate=1e-2, warmup_steps=4, batch_size=32, last_blocks=1)
    start = finetune.first_trained_layer(network, 1)
    trained = finetune.train_on(network, x, y, config, seed=1, verbose=False)
    for layer, original in zip(trained.layers, network.layers):
        same = all(np.array_equal(a, b) for a, b in zip(layer.get_weights(), original.get_weights()))
        assert same == (trained.layers.index(layer) < start or not layer.get_weights())
    x_new, y_new = _bars(200, rng)
    assert (Classifier(model=trained).predict_proba(x_new).argmax(axis=1) == y_new).mean() > 0.9
    assert getattr(trained, "optimizer", None) is None


def test_the_last_blocks_start_at_a_convolution_or_the_dropout_just_before_it():
    network = build_model("default")
    convolutions = [i for i, layer in enumerate(network.layers) if isinstance(layer, keras.layers.Conv2D)]
    one, two = finetune.first_trained_layer(network, 1), finetune.first_trained_layer(network, 2)
    assert one == convolutions[-1] - 1 and isinstance(network.layers[one], keras.layers.Dropout)
    assert two == convolutions[-2]
    with pytest.raises(FinetuneError, match=f"--last-blocks {len(convolutions)}: default has {len(convolutions)} convolutions"):
        finetune.first_trained_layer(network, len(convolutions))
    with pytest.raises(FinetuneError, match="one after another"):
        finetune.first_trained_layer(_pair_of_networks(), 1)


def test_the_peak_rate_defaults_to_the_one_measured_for_what_is_trained():
    assert FinetuneConfig().peak_rate == finetune.WHOLE_NETWORK_RATE == 3e-4
    assert FinetuneConfig(last_blocks=2).peak_rate == finetune.LAST_BLOCKS_RATE == 1e-3
    assert FinetuneConfig(last_blocks=2, learning_rate=5e-4).to_dict()["learning_rate"] == 5e-4
    assert FinetuneConfig(last_blocks=2).to_dict()["learning_rate"] == 1e-3


def test_joined_real_digits_are_those_of_the_folders_read_together(labelled, recognizer):
    sources = load_labelled_folders(labelled)
    together = finetune.real_digits(sources, recognizer, progress=False)
    apart = finetune.joined([finetune.real_digits({name: items}, recognizer, progress=False) for name, items in sources.items()])
    assert np.array_equal(together.x, apart.x) and together.y.tolist() == apart.y.tolist()
    assert (together.items_used, together.skipped) == (apart.items_used, apart.skipped)


def test_the_command_trains_only_the_last_blocks_when_asked(labelled, tmp_path, monkeypatch, capsys):
    from digitrec.classifier import load_keras_model

    start = tmp_path / "start.keras"
    _pair_of_networks().save(start)
    monkeypatch.setattr(finetune, "recipe_digits", lambda seed, mnist_path=None: _bars(64, np.random.default_rng(seed)))
    monkeypatch.setattr(finetune, "find_digit_fonts", lambda: ["any.ttf"])  # the recipe above needs none
    out = tmp_path / "tuned.keras"
    assert main(["finetune", "--images", str(labelled), "--model", str(start), "--out", str(out), "--last-blocks", "1",
                 "--epochs", "1"]) == 0
    assert "Wrote" in capsys.readouterr().out
    before, after = members_of(load_keras_model(start)), members_of(load_keras_model(out))
    for old, new in zip(before, after):
        first = finetune.first_trained_layer(old, 1)
        kept = [w for layer in old.layers[:first] for w in layer.get_weights()]
        assert all(np.array_equal(a, b) for a, b in zip(kept, [w for layer in new.layers[:first] for w in layer.get_weights()]))
        assert not np.array_equal(old.layers[-1].get_weights()[0], new.layers[-1].get_weights()[0])


def _pair_of_networks():
    return averaged([build_model("fast"), build_model("fast")])


def test_a_stopped_run_goes_on_with_the_networks_not_yet_trained(tmp_path, monkeypatch):
    calls = []

    def fake_train_on(network, x, y, config, seed, verbose=True):
        calls.append(seed)
        if len(calls) == 2:
            raise KeyboardInterrupt
        copy = build_model("fast")
        copy.set_weights([weights + seed for weights in network.get_weights()])
        return copy

    monkeypatch.setattr(finetune, "train_on", fake_train_on)
    out, plan = tmp_path / "tuned.keras", {"images": "pictures", "real_digits": 4}
    data = (np.zeros((4, 28, 28), np.float32), np.zeros(4, np.int64))
    config = FinetuneConfig(seed=5)
    with pytest.raises(KeyboardInterrupt):
        finetune.finetune(_pair_of_networks(), *data, config, out, plan, verbose=False)
    assert not out.exists() and (tmp_path / "tuned.keras.parts" / "network-0.keras").exists()
    start = _pair_of_networks()
    result = finetune.finetune(start, *data, config, out, plan, verbose=False)
    assert calls == [5, 6, 6]  # the first network was not trained again
    assert out.exists() and not (tmp_path / "tuned.keras.parts").exists()
    first, second = members_of(result)
    assert np.allclose(second.get_weights()[0], members_of(start)[1].get_weights()[0] + 6)
    assert not np.allclose(first.get_weights()[0], members_of(start)[0].get_weights()[0] + 6)


def test_only_the_networks_named_learn_and_the_others_stay_as_they_are(tmp_path, monkeypatch):
    """Half a reader fine-tuned beside half as trained (``--networks``): network 0 is kept bit for bit,
    network 1 learns with its own seed, as it would have in a run that trained both."""
    seeds = []

    def fake_train_on(network, x, y, config, seed, verbose=True):
        seeds.append(seed)
        copy = build_model("fast")
        copy.set_weights([weights + seed for weights in network.get_weights()])
        return copy

    monkeypatch.setattr(finetune, "train_on", fake_train_on)
    start = _pair_of_networks()
    data = (np.zeros((4, 28, 28), np.float32), np.zeros(4, np.int64))
    result = finetune.finetune(start, *data, FinetuneConfig(seed=5, networks=(1,)), tmp_path / "tuned.keras", {}, verbose=False)
    assert seeds == [6]
    first, second = members_of(result)
    for kept, original in zip(first.get_weights(), members_of(start)[0].get_weights()):
        np.testing.assert_array_equal(kept, original)
    assert np.allclose(second.get_weights()[0], members_of(start)[1].get_weights()[0] + 6)


def test_a_run_refuses_to_go_on_with_other_settings(tmp_path):
    parts = tmp_path / "tuned.keras.parts"
    parts.mkdir()
    (parts / "finetune.json").write_text('{"images": "pictures", "real_digits": 4}')
    with pytest.raises(FinetuneError, match="other settings or pictures"):
        finetune.finetune(_pair_of_networks(), np.zeros((1, 28, 28)), np.zeros(1), FinetuneConfig(), tmp_path / "tuned.keras",
                          {"images": "pictures", "real_digits": 9}, verbose=False)


def test_missing_fonts_are_reported_before_any_picture_is_read(labelled, tmp_path, monkeypatch):
    from digitrec.printed import FontsError

    monkeypatch.setattr(finetune, "find_digit_fonts", lambda: [])
    monkeypatch.setattr(finetune, "real_digits", lambda *args, **kwargs: pytest.fail("pictures were read"))
    with pytest.raises(FontsError, match="no font with digits found"):
        finetune.finetune_on_pictures(labelled, tmp_path / "tuned.keras", FinetuneConfig(), verbose=False)


@pytest.mark.parametrize("arguments, message", [
    (["--out", "tuned.h5"], "name a .keras file"),
    (["--out", "tuned.keras", "--epochs", "0"], "--epochs must be at least 1"),
    (["--out", "tuned.keras", "--learning-rate", "0"], "--learning-rate must be above 0"),
    (["--out", "tuned.keras", "--last-blocks", "-1"], "--last-blocks must be 0 (every layer) or more"),
    (["--out", "tuned.keras", "--last-blocks", "7"], "--last-blocks 7: member_0 has 7 convolutions; give 1 to 6"),
    (["--out", "tuned.keras", "--networks", "-1"], "--networks numbers the networks from 0"),
    (["--out", "tuned.keras", "--networks", "3", "6"], "--networks 3 6: the model has 6 networks, numbered 0 to 5"),
    (["--out", "tuned.keras", "--exclude", "letters"], "--exclude letters: no such labelled folder"),
    (["--out", "tuned.keras", "--exclude", "forms", "broken"], "leaves no labelled folder"),
])
def test_finetune_command_refuses_bad_requests_in_one_line(labelled, tmp_path, capsys, arguments, message):
    arguments = [str(tmp_path / a) if a.startswith("tuned") else a for a in arguments]
    assert main(["finetune", "--images", str(labelled), *arguments]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not list(tmp_path.glob("tuned*"))
