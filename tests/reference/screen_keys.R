# The keys of the instruments the screening tests use, typed from their published keys (the
# sources listed in docs/instruments of bowlby are where they were checked), for
# screen_reference.R and make_screen_fixture.R. Items are 1-based; rev: the reversed ones.
keys <- list(
  ecr = list(n = 36,
             anxiety = list(items = seq(2, 36, 2), rev = 22),
             avoidance = list(items = seq(1, 35, 2), rev = c(3, 15, 19, 25, 27, 29, 31, 33, 35))),
  "ecr-12" = list(n = 12,
                  anxiety = list(items = c(1, 2, 3, 5, 7, 8), rev = integer(0)),
                  avoidance = list(items = c(4, 6, 9, 10, 11, 12), rev = c(6, 9, 10, 11, 12))),
  "ecr-rs" = list(n = 36,
                  anxiety_mother = list(items = 7:9, rev = integer(0)),
                  avoidance_mother = list(items = 1:6, rev = 1:4),
                  anxiety_father = list(items = 16:18, rev = integer(0)),
                  avoidance_father = list(items = 10:15, rev = 10:13),
                  anxiety_partner = list(items = 25:27, rev = integer(0)),
                  avoidance_partner = list(items = 19:24, rev = 19:22),
                  anxiety_friend = list(items = 34:36, rev = integer(0)),
                  avoidance_friend = list(items = 28:33, rev = 28:31)),
  rsq = list(n = 30,
             secure = list(items = c(3, 9, 10, 15, 28), rev = c(9, 28)),
             fearful = list(items = c(1, 5, 12, 24), rev = integer(0)),
             preoccupied = list(items = c(6, 8, 16, 25), rev = 6),
             dismissing = list(items = c(2, 6, 19, 22, 26), rev = integer(0))))
keys[["ecr-r"]] <- list(n = 36,
                        anxiety = list(items = 1:18, rev = c(9, 11)),
                        avoidance = list(items = 19:36, rev = c(20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36)))
