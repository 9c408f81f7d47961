"""Risk scoring as Thai and international government practice does it: likelihood × impact."""

from __future__ import annotations

from domain.vocabulary import RiskLevel


def risk_score(likelihood: int, impact: int) -> int:
    return likelihood * impact


def risk_level(score: int) -> RiskLevel:
    if score <= 4:
        return RiskLevel.LOW
    if score <= 9:
        return RiskLevel.MEDIUM
    if score <= 16:
        return RiskLevel.HIGH
    return RiskLevel.VERY_HIGH
