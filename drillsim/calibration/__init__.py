"""Calibration: learn acknowledgement delays, reachability and task durations from what happened.

Pages come from recorded drills (``drillsim.drill.calibrate``), from PagerDuty incidents and their log
entries (``pagerduty``) or from a CSV any on-call tool can write (``csvhistory``); each page ends
either in its person's acknowledgement or, right-censored, when it stopped waiting for them. One
model fits them all (``fitting``: P(reached) × a lognormal delay, by maximum likelihood with
censoring, with profile-likelihood intervals), in a hierarchy organisation → role → person whose
small groups shrink toward their parent (``hierarchy``); ``goodness`` checks the fit against the
Kaplan–Meier curve, and ``overrides`` writes what ``simulate --overrides`` reads.

Nothing here runs the engine or draws: drills are read in ``drillsim.drill``, the report is
written by ``drillsim.report.calibration``.
"""
