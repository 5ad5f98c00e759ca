"""Geography hierarchy and the validation of a user's werkwinkel file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from crossroads import classes, codelists


def test_geography_is_complete_and_nested() -> None:
    geo = classes.geography()
    assert len(geo) == 565 and geo["municipality"].is_unique
    assert not geo.isna().any().any() and not (geo == "").any().any()
    for fine, coarse in [
        ("municipality", "werkwinkel"),
        ("werkwinkel", "arrondissement"),
        ("arrondissement", "province"),
        ("province", "region"),
    ]:
        assert (geo.groupby(fine)[coarse].nunique() == 1).all(), (fine, coarse)
    brussels = geo[geo["municipality"].str.startswith("21")]
    assert len(brussels) == 19
    assert set(brussels["province"]) == {classes.BRUSSELS_PROVINCE}
    assert set(brussels["region"]) == {"04000"}
    # Leuven (24062) lies in Vlaams-Brabant (20001), arrondissement Leuven (24000), Flanders (02000).
    leuven = geo.set_index("municipality").loc["24062"]
    assert (leuven["arrondissement"], leuven["province"], leuven["region"]) == ("24000", "20001", "02000")


def test_hierarchy_levels() -> None:
    assert classes.hierarchy("geography") == [
        ("municipality", "municipality"),
        ("werkwinkel", "werkwinkel"),
        ("arrondissement", "arrondissement"),
        ("province", "province"),
        ("region", "region"),
    ]
    assert [lv for lv, _ in classes.hierarchy("age")] == ["age_5y", "age_10y", "age_broad"]
    with pytest.raises(KeyError, match="known: geography"):
        classes.hierarchy("nope")


def test_age_and_nationality_hierarchies_nest() -> None:
    age = classes.hierarchy_table("age")
    # 12 five-year classes, each in one 10-year class and one broad group: 20-24 -> 15-24 -> 00-24.
    assert len(age) == 12
    row = age.set_index("age_5y").loc["20-24"]
    assert (row["age_10y"], row["age_broad"]) == ("15-24", "00-24")
    nat = classes.hierarchy_table("nationality")
    assert len(nat) == 474 and nat["country"].is_unique
    assert nat.set_index("country").loc["129", "eu"] == "EU"


def test_wage_hierarchies_nest_and_bad_ones_are_refused() -> None:
    wages = classes.hierarchy_table("daily_wage")
    # Salcla 081 = [100, 101.25) lies in 10-EUR class 11 = [100, 110) and 50-EUR class 03 = [100, 150).
    row = wages.set_index("daily_wage").loc["081"]
    assert (row["daily_wage_10"], row["daily_wage_50"]) == ("11", "03")
    assert len(wages) == 500
    assert len(classes.hierarchy_table("wage_mass")) == 21
    # 2-year classes do not nest in 5-year ones: 19-20 straddles 15-19 and 20-24.
    with pytest.raises(classes.HierarchyError, match="age_2y 19-20 lies in several age_5ys: 15-19, 20-24"):
        classes.interval_hierarchy(["age_2y", "age_5y"])


def _write(tmp_path: Path, df: pd.DataFrame) -> Path:
    path = tmp_path / "ww.csv"
    df.to_csv(path, index=False)
    return path


def _own_grouping() -> pd.DataFrame:
    # A valid alternative grouping: one werkwinkel per arrondissement.
    muni = codelists.municipalities()
    return pd.DataFrame(
        {
            "nis_code": muni["nis_code"],
            "werkwinkel_code": "W" + muni["arrondissement_nis"],
            "werkwinkel_nl": "Regio " + muni["arrondissement_nl"],
        }
    )


def test_user_grouping_is_accepted(tmp_path: Path) -> None:
    geo = classes.geography(_write(tmp_path, _own_grouping()))
    assert geo.set_index("municipality").loc["11002", "werkwinkel"] == "W11000"


def test_missing_municipality(tmp_path: Path) -> None:
    df = _own_grouping().iloc[1:]  # drop 11001 Aartselaar
    with pytest.raises(
        classes.HierarchyError, match=r"(?s)ww\.csv.*1 municipality\(ies\) not assigned: 11001"
    ) as e:
        classes.geography(_write(tmp_path, df))
    assert e.value.field == "nis_code"


def test_duplicate_municipality_names_both_rows(tmp_path: Path) -> None:
    df = _own_grouping()
    df = pd.concat([df, df.iloc[[0]]], ignore_index=True)  # row 2 repeated as the last row (566 + 1 = 567)
    with pytest.raises(
        classes.HierarchyError,
        match="row 567: field 'nis_code': municipality 11001 already assigned on row 2",
    ) as e:
        classes.geography(_write(tmp_path, df))
    assert e.value.row == 567 and str(tmp_path / "ww.csv") == e.value.file


def test_werkwinkel_crossing_an_arrondissement(tmp_path: Path) -> None:
    df = _own_grouping()
    # Move a municipality of arrondissement Mechelen (12000) into Antwerpen's werkwinkel.
    df.loc[df["nis_code"] == "12002", "werkwinkel_code"] = "W11000"
    with pytest.raises(
        classes.HierarchyError, match=r"werkwinkel W11000 spans arrondissements 11000 .*12000"
    ):
        classes.geography(_write(tmp_path, df))


def test_unknown_code_empty_field_and_missing_column(tmp_path: Path) -> None:
    df = _own_grouping()
    df.loc[0, "nis_code"] = "99999"
    df.loc[1, "werkwinkel_nl"] = ""
    with pytest.raises(classes.HierarchyError) as e:
        classes.geography(_write(tmp_path, df))
    text = str(e.value)
    assert "row 2: field 'nis_code': 99999 is not a 2025 municipality" in text
    assert "row 3: field 'werkwinkel_nl': empty" in text
    with pytest.raises(classes.HierarchyError, match="row 1: field 'werkwinkel_nl': required column missing"):
        classes.geography(_write(tmp_path, _own_grouping().drop(columns="werkwinkel_nl")))
    with pytest.raises(classes.HierarchyError, match="file not found"):
        classes.geography(tmp_path / "absent.csv")
