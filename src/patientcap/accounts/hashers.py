"""Password hashing: Argon2id with OWASP's parameters (integrity reference §11).

Django's own Argon2 defaults (100 MiB, p=8) hold that much memory per concurrent login; OWASP's
equal-strength profile m=19 MiB, t=2, p=1 fits a small government host. The algorithm name stays
"argon2", so existing hashes still verify and Django re-hashes them with these parameters at the
next successful login. A national-standard (SM3-based) hasher can be listed next to this one.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456  # KiB
    parallelism = 1
