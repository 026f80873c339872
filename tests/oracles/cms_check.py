"""Independent check of MediFlow's readmission and cost marts, from the CMS files alone.

Written from the rules in models/README.md ("The 30-day readmission cohort" and "How the money is
counted"), not from the SQL models: it reads the DE-SynPUF CSV files with the standard library and
the code tables (seed CSVs: data, not code) and prints JSON figures that
tests/oracles/cms_oracle.test.ts compares with mart_readmission and mart_cost_of_care.

usage: cms_check.py DATA_DIR SEEDS_DIR [--study-start YYYY-MM-DD] [--study-end YYYY-MM-DD] [--window N]
"""
import argparse
import csv
import datetime as dt
import json
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_UP


def text(v):
    """A value as text, trimmed; empty means missing (None)."""
    if v is None:
        return None
    v = v.strip()
    return v or None


def ymd(v):
    v = text(v)
    if v is None:
        return None
    try:
        return dt.datetime.strptime(v, "%Y%m%d").date()
    except ValueError:
        return None


def amount(v):
    v = text(v)
    if v is None:
        return Decimal(0)
    try:
        return Decimal(v)
    except Exception:
        return Decimal(0)


def count(v):
    v = text(v)
    try:
        return int(v) if v is not None else 0
    except ValueError:
        return 0


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def files(data_dir, pattern):
    rx = re.compile(pattern)
    return sorted(os.path.join(data_dir, n) for n in os.listdir(data_dir) if rx.fullmatch(n))


def seed(seeds_dir, name):
    return list(rows(os.path.join(seeds_dir, name + ".csv")))


# ---- code tables ---------------------------------------------------------------------------

def code_tables(seeds_dir):
    dx_ccs = {r["icd9_dx_code"]: int(r["ccs_category"]) for r in seed(seeds_dir, "ccs_icd9_dx")}
    pr_ccs = {r["icd9_pr_code"]: int(r["ccs_category"]) for r in seed(seeds_dir, "ccs_icd9_pr")}
    # PR tables: CCS categories (ints) and ICD-9 codes (text) of each table, matched separately
    pra = {t: set() for t in ("PR1", "PR2", "PR3", "PR4")}
    pra_codes = {t: set() for t in ("PR3", "PR4")}
    for r in seed(seeds_dir, "planned_readmission_ccs"):
        pra[r["pra_table"]].add(int(r["ccs_category"]))
    for r in seed(seeds_dir, "planned_readmission_icd9"):
        pra_codes[r["pra_table"]].add(r["icd9_code"])
    exclusion = {int(r["ccs_category"]): r["exclusion"] for r in seed(seeds_dir, "readmission_exclusion_ccs")}
    sex = {r["sex_code"]: r["gender"] for r in seed(seeds_dir, "sex_codes")}
    return dx_ccs, pr_ccs, (pra, pra_codes), exclusion, sex


# ---- beneficiaries -------------------------------------------------------------------------

def beneficiaries(data_dir, sex_names):
    """(patient, year) -> row facts; the year is in the file name (one file per year)."""
    by_year = {}
    for path in files(data_dir, r"DE1_0_20[01][0-9]_Beneficiary_Summary_File_Sample_.*\.csv"):
        year = int(re.search(r"DE1_0_([0-9]{4})_Beneficiary", os.path.basename(path)).group(1))
        for r in rows(path):
            pid = text(r["DESYNPUF_ID"])
            hmo = count(r["BENE_HMO_CVRAGE_TOT_MONS"])
            by_year[(pid, year)] = {
                "birth": ymd(r["BENE_BIRTH_DT"]),
                "death": ymd(r["BENE_DEATH_DT"]),
                "sex": sex_names.get(text(r["BENE_SEX_IDENT_CD"]), "unknown"),
                "part_a": count(r["BENE_HI_CVRAGE_TOT_MONS"]),
                "hmo": hmo,
                "ffs_a": max(count(r["BENE_HI_CVRAGE_TOT_MONS"]) - hmo, 0),
                "ffs_b": max(count(r["BENE_SMI_CVRAGE_TOT_MONS"]) - hmo, 0),
            }
    latest, death = {}, {}
    for (pid, year), b in by_year.items():
        if pid not in latest or year > latest[pid][0]:
            latest[pid] = (year, b)
        if b["death"] and (pid not in death or b["death"] > death[pid]):
            death[pid] = b["death"]
    return by_year, {p: b for p, (_, b) in latest.items()}, death


# ---- readmissions --------------------------------------------------------------------------

def admissions(data_dir, dx_ccs, pr_ccs, tables):
    pra, pra_codes = tables
    out = []
    for path in files(data_dir, r"DE1_0_2008_to_2010_Inpatient_Claims_Sample_.*\.csv"):
        for r in rows(path):
            if text(r["SEGMENT"]) != "1":
                continue
            admit = ymd(r["CLM_ADMSN_DT"]) or ymd(r["CLM_FROM_DT"])
            discharge = ymd(r["NCH_BENE_DSCHRG_DT"]) or ymd(r["CLM_THRU_DT"])
            prvdr = text(r["PRVDR_NUM"])
            dx = text(r["ICD9_DGNS_CD_1"])
            ccs = dx_ccs.get(dx)
            codes = {text(r["ICD9_PRCDR_CD_%d" % i]) for i in range(1, 7)} - {None}
            px = {pr_ccs.get(c) for c in codes} - {None}
            potentially = bool(px & pra["PR3"]) or bool(codes & pra_codes["PR3"])
            acute = ccs in pra["PR4"] or dx in pra_codes["PR4"]
            planned = bool(px & pra["PR1"]) or ccs in pra["PR2"] or (potentially and not acute)
            out.append({
                "id": text(r["CLM_ID"]), "patient": text(r["DESYNPUF_ID"]), "admit": admit, "discharge": discharge,
                "hospital": "I-" + prvdr if prvdr else "UNKNOWN", "drg": text(r["CLM_DRG_CD"]) or "unknown",
                "ccs": ccs, "planned": planned,
            })
    return out


def covered(by_year, pid, year, month):
    """Whether a calendar month is a Part A fee-for-service month: the year's row exists, has no HMO
    month, and its Part A months reach that month (they are taken to be the year's first months)."""
    row = by_year.get((pid, year))
    return row is not None and row["hmo"] == 0 and row["part_a"] >= month


def months(first_day, last_day):
    """Every (year, month) from first_day's month through last_day's month."""
    y, m = first_day.year, first_day.month
    while (y, m) <= (last_day.year, last_day.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def age_on(day, birth):
    return day.year - birth.year - (1 if (day.month, day.day) < (birth.month, birth.day) else 0)


def readmissions(adms, by_year, latest, death, exclusion, start, end, window, drg_discharges):
    """Numerators and denominators per grouping; drg_discharges gets the discharge dates of each
    (year, DRG) group's index admissions, which name the group (drg_labels)."""
    per_patient = {}
    for a in adms:
        per_patient.setdefault(a["patient"], []).append(a)
    groups = {"overall": {}, "hospital": {}, "drg": {}}
    cutoff = end - dt.timedelta(days=window)
    for pid, items in per_patient.items():
        items.sort(key=lambda a: (a["admit"], a["discharge"], a["id"]))
        stays, latest_discharge = [], None
        for a in items:  # rule 2
            if latest_discharge is None or a["admit"] > latest_discharge:
                stays.append([])
            stays[-1].append(a)
            latest_discharge = a["discharge"] if latest_discharge is None else max(latest_discharge, a["discharge"])
        for k, stay in enumerate(stays):
            first = stay[0]
            last = max(stay, key=lambda a: (a["discharge"], a["admit"], a["id"]))
            admit = min(a["admit"] for a in stay)
            discharge = max(a["discharge"] for a in stay)
            d = death.get(pid)
            birth = latest[pid]["birth"] if pid in latest else None
            admit_day = last["admit"]
            if d is not None and admit.replace(day=1) <= d <= discharge:
                continue  # died in the stay
            if discharge < start or discharge > end:
                continue  # outside the study period
            if discharge > cutoff:
                continue  # not 30 days of follow-up inside the period
            if birth is None or age_on(last["admit"], birth) < 65:
                continue
            if not covered(by_year, pid, admit_day.year, admit_day.month):
                continue  # the admission month is not a Part A fee-for-service month
            if not covered(by_year, pid, admit_day.year - 1, 12):
                continue  # not 12 Part A months before the admission month
            end_of_follow_up = discharge + dt.timedelta(days=window)
            died_after = d is not None and discharge < d <= end_of_follow_up
            if not died_after and not all(covered(by_year, pid, y, m) for y, m in months(discharge, end_of_follow_up)):
                continue  # not enrolled in Part A in the days after discharge
            if last["ccs"] in exclusion:
                continue  # cancer, psychiatric, rehabilitation
            readmitted = 0
            if k + 1 < len(stays):
                nxt = stays[k + 1]
                days = (min(a["admit"] for a in nxt) - discharge).days
                if 1 <= days <= window and not nxt[0]["planned"]:
                    readmitted = 1
            year = discharge.year
            drg_discharges.setdefault((year, last["drg"]), []).append(last["discharge"])
            for grouping, key in (("overall", "all"), ("hospital", last["hospital"]), ("drg", last["drg"])):
                c = groups[grouping].setdefault("%d|%s" % (year, key), [0, 0])
                c[0] += readmitted
                c[1] += 1
    return groups


def drg_labels(seeds_dir, drg_discharges):
    """The label of each (year, DRG) group (models/README.md, rule 6): the code's title in the
    grouper version in effect at the discharge (seed drg_codes, one row per code and version); the
    newest such version when the group's discharges fall in several; else the newest version that
    has the code, saying so; else the code is in no version."""
    versions = {}
    for r in seed(seeds_dir, "drg_codes"):
        versions.setdefault(r["drg_code"], []).append(
            (int(r["grouper_version"]), dt.date.fromisoformat(r["effective_from"]),
             dt.date.fromisoformat(r["effective_to"]), r["drg_description"]))
    labels = {}
    for (year, code), discharges in drg_discharges.items():
        rows_ = versions.get(code, [])
        in_effect = [(v, title) for v, first, last, title in rows_ if any(first <= d <= last for d in discharges)]
        if code == "unknown":
            label = "No DRG on the claim"
        elif in_effect:
            label = max(in_effect)[1]
        elif rows_:
            v, _, _, title = max(rows_)
            label = "%s (MS-DRG v%d title; the code is not in the grouper version in effect at discharge)" % (title, v)
        else:
            label = "MS-DRG %s (in no MS-DRG grouper version 25-28)" % code
        labels["%d|%s" % (year, code)] = label
    return labels


# ---- cost of care (sex grouping) -----------------------------------------------------------

def claims(data_dir):
    """claim id -> [claim type, patient, claim year, paid]; all segments' money summed."""
    out = {}
    loaded = {"inpatient": False, "outpatient": False, "carrier": False}
    for ctype, pattern in (("inpatient", r"DE1_0_2008_to_2010_Inpatient_Claims_Sample_.*\.csv"),
                           ("outpatient", r"DE1_0_2008_to_2010_Outpatient_Claims_Sample_.*\.csv")):
        seg1 = {}
        for path in files(data_dir, pattern):
            for r in rows(path):
                loaded[ctype] = True
                cid = text(r["CLM_ID"])
                c = out.setdefault(cid, [ctype, None, None, Decimal(0)])
                c[1] = max(c[1] or "", text(r["DESYNPUF_ID"]) or "") or None
                c[3] += amount(r["CLM_PMT_AMT"])
                if text(r["SEGMENT"]) == "1":
                    seg1[cid] = r
        for cid, r in seg1.items():
            day = ymd(r["CLM_THRU_DT"]) or ymd(r["CLM_FROM_DT"])
            if day is None and ctype == "inpatient":
                day = ymd(r["NCH_BENE_DSCHRG_DT"])
            out[cid][2] = day.year if day else None
    for path in files(data_dir, r"DE1_0_2008_to_2010_Carrier_Claims_Sample_.*[AB]\.csv"):
        for r in rows(path):
            loaded["carrier"] = True
            cid = text(r["CLM_ID"])
            c = out.setdefault(cid, ["carrier", None, None, Decimal(0)])
            c[1] = max(c[1] or "", text(r["DESYNPUF_ID"]) or "") or None
            day = ymd(r["CLM_THRU_DT"]) or ymd(r["CLM_FROM_DT"])
            if day is not None:
                c[2] = max(c[2] or 0, day.year)
            for i in range(1, 14):  # a slot is a line when its HCPCS code or performing NPI is filled
                if text(r["HCPCS_CD_%d" % i]) or text(r["PRF_PHYSN_NPI_%d" % i]):
                    c[3] += amount(r["LINE_NCH_PMT_AMT_%d" % i])
    return out, loaded


def cost_by_sex(data_dir, by_year, latest):
    all_claims, loaded = claims(data_dir)
    part = {"inpatient": "ffs_a", "outpatient": "ffs_b", "carrier": "ffs_b"}
    cells = {}

    def cell(year, ctype, sex):
        return cells.setdefault((year, ctype, sex), {"claims": 0, "paid": Decimal(0), "covered": Decimal(0),
                                                     "no_mm_claims": 0, "no_mm_paid": Decimal(0), "mm": None})
    for ctype, pid, year, paid in all_claims.values():
        row = by_year.get((pid, year))
        sex = row["sex"] if row else (latest[pid]["sex"] if pid in latest else "unknown")
        c = cell(year, ctype, sex)
        c["claims"] += 1
        c["paid"] += paid
        if row and row[part[ctype]] > 0:
            c["covered"] += paid
        else:
            c["no_mm_claims"] += 1
            c["no_mm_paid"] += paid
    for (pid, year), b in by_year.items():
        for ctype in part:
            c = cell(year, ctype, b["sex"])
            c["mm"] = (c["mm"] or 0) + b[part[ctype]]
    out = []
    for (year, ctype, sex), c in sorted(cells.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1], kv[0][2])):
        ok = loaded[ctype]
        mm = c["mm"]
        pmpm = (c["covered"] / mm) if ok and mm else None
        out.append({
            "key": "%s|%s|%s" % (year, ctype, sex), "claim_type_loaded": ok,
            "claims": c["claims"] if ok else None,
            "total_paid": str(c["paid"]) if ok else None,
            "member_months": mm,
            "claims_without_member_months": c["no_mm_claims"] if ok else None,
            "paid_without_member_months": str(c["no_mm_paid"]) if ok else None,
            "paid_pmpm": str(pmpm.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if pmpm is not None else None,
            "paid_pmpm_exact": str(pmpm) if pmpm is not None else None,
        })
    return out


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("data_dir")
    p.add_argument("seeds_dir")
    p.add_argument("--study-start", default="2008-01-01")
    p.add_argument("--study-end", default="2010-12-31")
    p.add_argument("--window", type=int, default=30)
    a = p.parse_args(argv)
    dx_ccs, pr_ccs, pra, exclusion, sex = code_tables(a.seeds_dir)
    by_year, latest, death = beneficiaries(a.data_dir, sex)
    adms = admissions(a.data_dir, dx_ccs, pr_ccs, pra)
    start, end = dt.date.fromisoformat(a.study_start), dt.date.fromisoformat(a.study_end)
    drg_discharges = {}
    readmission = readmissions(adms, by_year, latest, death, exclusion, start, end, a.window, drg_discharges)
    json.dump({
        "readmission": readmission,
        "drg_labels": drg_labels(a.seeds_dir, drg_discharges),
        "cost_by_sex": cost_by_sex(a.data_dir, by_year, latest),
    }, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
