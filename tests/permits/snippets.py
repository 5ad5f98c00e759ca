"""Small permit texts whose line numbers the tests count by hand (the comments give them)."""

from __future__ import annotations

# A minimal valid research permit. Line numbers are in the trailing comments.
BASE = """\
number: "99/001"                              # 1
title: Testvergunning                         # 2
committee: IVC                                # 3
decision_date: 2021-01-05                     # 4
kind: research                                # 5
requester: A                                  # 6
controller: A                                 # 7
versions:                                     # 8
  - version: 1                                # 9
    label: origineel                          # 10
    approved: 2021-01-05                      # 11
    effective: 2021-01-05                     # 12
    purpose: p                                # 13
    legal_basis: l                            # 14
    input_unit: {organisation: A, unit: in}   # 15
    output_unit: {organisation: A, unit: out} # 16
    roles: [researcher]                       # 17
    phases: [1, 2]                            # 18
    target_groups:                            # 19
      - name: g1                              # 20
        label: G1                             # 21
        rule: r1                              # 22
        sample_size: 10                       # 23
    datasets:                                 # 24
      - name: d1                              # 25
        label: D1                             # 26
        unit: person-year                     # 27
        population: g1                        # 28
        variables:                            # 29
          - name: age_class                   # 30
          - name: sex                         # 31
    retention: {until: 2025-01-01}            # 32
"""

# Appended to BASE: an amendment that adds a variable, drops one and adds a target group.
AMENDMENT = """\
  - version: 2                                # 33
    extends: 1                                # 34
    label: wijziging                          # 35
    approved: 2022-01-05                      # 36
    effective: 2022-02-01                     # 37
    amend:                                    # 38
      target_groups:                          # 39
        - name: g2                            # 40
          label: G2                           # 41
          rule: r2                            # 42
      datasets:                               # 43
        - name: d1                            # 44
          population: [g1, g2]                # 45
          variables:                          # 46
            - name: province                  # 47
            - {name: sex, remove: true}       # 48
"""


def replace_line(text: str, line: int, new: str) -> str:
    """``text`` with its 1-based line ``line`` replaced by ``new`` (which may hold several lines)."""
    lines = text.splitlines()
    lines[line - 1] = new
    return "\n".join(lines) + "\n"


def insert_after(text: str, line: int, new: str) -> str:
    lines = text.splitlines()
    lines.insert(line, new)
    return "\n".join(lines) + "\n"
