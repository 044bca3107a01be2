"""Surveys (问卷): a form per survey, its audience and dates, one answer per household or phone."""
