"""Scoring detente against gold sets: ``run_all(eval_dir, coder)`` and a printable report.

One module per gold set (``plover_gold``, ``petrarch_gold``, ``ngec_synthetic``, ``actor_cases``);
shared metric helpers in ``metrics``; ``runner`` ties them together for ``detente eval DIR``.
"""

from detente.evaluation.runner import (default_eval_dir, format_markdown, format_report, main,
                                      run_all)

__all__ = ["default_eval_dir", "format_markdown", "format_report", "main", "run_all"]
