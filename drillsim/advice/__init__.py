"""Changes worth trying, found without simulating: what in the structure costs response time
(:mod:`findings`), the changes that act on it as ``--set`` overrides (:mod:`candidates`), and what each
would cost in people and on-call hours (:mod:`costs`). ``drillsim advise`` simulates them
(:mod:`drillsim.experiments.advise`) and ranks them by the readiness they gain.
"""
