"""Release pipelines for a course: read the state (git, files, index), plan the steps, apply
those not done, read again and confirm (`invoke release.status | patch | minor | major | hotfix`).
"""
