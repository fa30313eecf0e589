"""Scoring kernel (pure): assessment schemes, rules, scores, grades, ranks and explanations."""
