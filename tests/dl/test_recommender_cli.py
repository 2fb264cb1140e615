"""`python -m dl train recommender`, `python -m dl recommend` and the exported predict.py, run as a
user would: in subprocesses, on an uploaded-style ratings file and on MovieLens."""

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from cli_runner import ROOT, run_cli


def run(arguments, cache, cwd=ROOT, script=None):
    return run_cli(arguments, cache, cwd, script, framework="tensorflow")


def taste_ratings(path: Path) -> Path:
    """60 users, 30 movies in two genres; users of group A love genre A, group B the other."""
    rng = np.random.default_rng(0)
    lines = ["userId,movieId,rating,timestamp"]
    for user in range(60):
        for movie in rng.choice(30, 18, replace=False):
            loves = (user % 2) == (movie % 2)
            lines.append(f"u{user},m{movie},{int(np.clip(rng.normal(4.5 if loves else 1.8, 0.5), 1, 5))},{1000 + user * 50 + movie}")
    path.write_text("\n".join(lines) + "\n")
    items = path.with_name("movies.csv")
    items.write_text("movieId,title,genres\n" + "".join(
        f"m{movie},{'Odd' if movie % 2 else 'Even'} movie {movie} (2001),{'Odd' if movie % 2 else 'Even'}\n" for movie in range(30)))
    return path


def test_train_recommend_and_cache_hit_without_tensorflow(tmp_path):
    data = taste_ratings(tmp_path / "ratings.csv")
    arguments = ["train", "recommender", "--data", str(data), "--items", str(tmp_path / "movies.csv"), "--epochs", "30", "--json"]
    first = run(arguments, tmp_path / "cache")
    assert first.returncode == 0, first.stderr[-2000:]
    result = json.loads(first.stdout.strip().splitlines()[-1])
    # tastes split the users in two: no bias explains that, two taste dimensions do
    assert result["from_cache"] is False and result["rmse"] < min(result["baseline_rmse"], result["global_mean_rmse"]) - 0.5
    assert set(result) >= {"rmse", "mae", "baseline_rmse", "global_mean_rmse", "precision_at_10", "ndcg_at_10", "model"}
    # 60 users x 18 of 30 titled movies, 1-5 stars: the doctor has only its distribution note
    assert [finding["code"] for finding in result["data_doctor"]["findings"]] == ["rating_distribution"]
    second = run(arguments, tmp_path / "cache")
    cached = json.loads(second.stdout.strip().splitlines()[-1])
    assert cached["from_cache"] is True and cached["data_doctor"]["findings"] == result["data_doctor"]["findings"]
    assert second.stderr.strip().splitlines()[-1] == "tensorflow imported: False"

    picks = run(["recommend", "--json", "--model", result["model"], "--user", "u0", "-k", "5"], tmp_path / "cache")
    assert picks.returncode == 0, picks.stderr
    lines = [json.loads(line) for line in picks.stdout.strip().splitlines()]
    assert len(lines) == 5 and {"item", "title", "score"} <= set(lines[0])
    assert sum(line["title"].startswith("Even") for line in lines) >= 4  # u0 is in the group that loves even movies
    assert picks.stderr.strip().splitlines()[-1] == "tensorflow imported: False"

    visitor = run(["recommend", "--json", "--model", result["model"], "--rate", "m1=5", "--rate", "m3=5", "--rate", "m5=5",
                   "--rate", "m0=1", "--rate", "m2=1", "-k", "5"], tmp_path / "cache")
    assert sum(json.loads(line)["title"].startswith("Odd") for line in visitor.stdout.strip().splitlines()) >= 4


def test_fix_option_applies_the_doctors_fix_before_training(tmp_path):
    """A 0-100 file: the JSON's doctor finds the scale and names its fix; --fix rescale_ratings trains on
    1-5 ratings (RMSE on the star scale) and the doctor then has nothing to say about the scale."""
    stars = taste_ratings(tmp_path / "stars.csv").read_text().splitlines()
    wide = [stars[0]] + [",".join([*fields[:2], str((int(fields[2]) - 1) * 25), fields[3]])
                         for fields in (line.split(",") for line in stars[1:])]
    (tmp_path / "wide.csv").write_text("\n".join(wide) + "\n")
    arguments = ["train", "recommender", "--data", str(tmp_path / "wide.csv"), "--epochs", "2", "--json"]
    plain = run(arguments, tmp_path / "cache")
    assert plain.returncode == 0, plain.stderr[-2000:]
    doctor = json.loads(plain.stdout.strip().splitlines()[-1])["data_doctor"]
    assert {"code": "scale_wide", "fix": "rescale_ratings"}.items() <= doctor["findings"][0].items()
    fixed = run([*arguments, "--fix", "rescale_ratings"], tmp_path / "cache")
    result = json.loads(fixed.stdout.strip().splitlines()[-1])
    assert result["global_mean_rmse"] < 4  # ratings from 1 to 5: an error in stars, not in points of 100
    assert "scale_wide" not in [finding["code"] for finding in result["data_doctor"]["findings"]]


@pytest.mark.parametrize("arguments, message", [
    (["recommend", "--model", "{model}", "--user", "nobody"], "no user 'nobody'"),
    (["recommend", "--model", "{model}", "--rate", "m1=five", "--rate", "m2=4", "--rate", "m3=4"], "ITEM=STARS"),
    (["recommend", "--model", "{model}", "--rate", "m1=5"], "at least 3"),
    (["train", "recommender", "--data", "missing.csv"], "neither 'ml-100k' nor a ratings file"),
    (["train", "recommender", "--data", "{bad}"], "not a number"),
])
def test_refused_input_exits_2_with_one_line(tmp_path, arguments, message):
    model = tmp_path / "model"
    model.mkdir()
    bad = tmp_path / "bad.csv"
    bad.write_text("user,item,rating\n" + "".join(f"{u},{i},x\n" for u in range(5) for i in range(5)))
    if "{model}" in arguments:  # a tiny real model to ask
        data = taste_ratings(tmp_path / "ratings.csv")
        trained = run(["train", "recommender", "--data", str(data), "--epochs", "2", "--json"], tmp_path / "cache")
        model = Path(json.loads(trained.stdout.strip().splitlines()[-1])["model"])
    filled = [value.replace("{model}", str(model)).replace("{bad}", str(bad)) for value in arguments]
    done = run(filled, tmp_path / "cache")
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_exported_predict_script_runs_with_numpy_only(tmp_path, store):
    from dl.jobs import run_inline
    from dl.recommender.config import RecommenderConfig
    from dl.recommender.data import load_movielens_100k
    from dl.recommender.export import export_zip
    from dl.recommender.recommend import recommend_for_user, recommend_for_visitor
    from dl.recommender.train import train_recommender

    data = load_movielens_100k()
    for kind in ("biased", "neural"):
        trained = run_inline(lambda reporter, kind=kind: train_recommender(RecommenderConfig(model=kind, epochs=3), data, reporter, store))
        folder = tmp_path / kind
        zipfile.ZipFile(io.BytesIO(export_zip(trained))).extractall(folder)
        assert {"predict.py", "factors.npz", "catalog.json", "ratings.npz", "model.keras", "meta.json", "README.md"} <= {
            path.name for path in folder.iterdir()}
        user = run(["--user", "196", "-k", "5"], tmp_path, cwd=folder, script="predict.py")
        assert user.returncode == 0, user.stderr
        expected = [pick.item_id for pick in recommend_for_user(trained.factors, trained.catalog, data.user_ids.index("196"), 5)]
        assert [json.loads(line)["item"] for line in user.stdout.splitlines()] == expected
        star_wars = data.item_ids[data.titles.index("Star Wars")]
        rates = ["--rate", f"{star_wars}=5", "--rate", "172=5", "--rate", "181=5", "--rate", "1=3"]
        visitor = run([*rates, "-k", "10"], tmp_path, cwd=folder, script="predict.py")
        assert visitor.returncode == 0, visitor.stderr
        ours = {pick.item_id for pick in recommend_for_visitor(trained.factors, trained.catalog, {
            data.item_ids.index(item): float(stars) for item, stars in (("50", 5), ("172", 5), ("181", 5), ("1", 3))}, 10)}
        theirs = {json.loads(line)["item"] for line in visitor.stdout.splitlines()}
        assert ours == theirs, kind  # the same closed form (biased) or the same Adam steps (neural)
        similar = run(["--similar", star_wars, "-k", "3"], tmp_path, cwd=folder, script="predict.py")
        assert len(similar.stdout.splitlines()) == 3
