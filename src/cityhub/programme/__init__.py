"""The programme office (R7): the policy's 19 tasks and their units, targets, registries of
projects, parks and trained people, progress reports, lagging warnings, the leading group's
cockpit and its periodic report, and the incentive rules as code (惠企政策)."""
