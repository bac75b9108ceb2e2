# Synthetic answers with planted careless rows, for tests/reference/test_screen_reference.cpp
# (run at test time; deterministic for a seed). Attentive rows answer each subscale from a
# latent trait plus noise, keyed by the instrument's key (screen_keys.R), with a few missing
# answers; then three kinds of careless rows are planted at random positions:
#   straight  the same answer to every item (longstring, irv)
#   rawline   agreement (the top two answers) with every item whatever its direction: a
#             respondent who did not read the reversed items (reverse_gap)
#   random    uniform answers (mahad)
# plus one row with no answer at all. Columns: id, Q1..Qp, duration (seconds; the straight-
# liners are fast), planted (the kind, or empty).
#
# Rscript make_screen_fixture.R OUTPUT.csv INSTRUMENT MIN MAX N_ATTENTIVE N_EACH SEED
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))), "screen_keys.R"))
key <- keys[[args[2]]]
subs <- key[names(key) != "n"]
p <- key$n
lo <- as.numeric(args[3]); hi <- as.numeric(args[4])
n_att <- as.integer(args[5]); n_each <- as.integer(args[6])
set.seed(as.integer(args[7]))
mid <- (lo + hi) / 2; width <- hi - lo

owner <- rep(NA, p); reversed <- rep(FALSE, p)
for (k in seq_along(subs)) for (i in subs[[k]]$items) if (is.na(owner[i])) {
  owner[i] <- k
  reversed[i] <- i %in% subs[[k]]$rev
}
# Items differ in how much they are endorsed, as real items do.
intercept <- rnorm(p, sd = 0.6)
attentive <- function(n) {
  latent <- matrix(rnorm(n * length(subs), sd = 0.8), n)
  X <- matrix(0, n, p)
  for (i in 1:p) {
    centre <- if (is.na(owner[i])) 0 else latent[, owner[i]]
    keyed <- round(mid + width / 4 * (intercept[i] + centre + rnorm(n, sd = 0.7)))
    keyed <- pmin(hi, pmax(lo, keyed))
    X[, i] <- if (reversed[i]) lo + hi - keyed else keyed
  }
  drop <- which(runif(n) < 0.05)
  for (r in drop) X[r, sample(p, sample(1:3, 1))] <- NA
  X
}
X <- attentive(n_att)
kind <- rep("", n_att)
planted <- list(
  straight = t(sapply(1:n_each, function(i) rep(sample(lo:hi, 1), p))),
  rawline = matrix(sample(c(hi - 1, hi), n_each * p, replace = TRUE, prob = c(0.3, 0.7)), n_each),
  random = matrix(sample(lo:hi, n_each * p, replace = TRUE), n_each))
for (k in names(planted)) {
  X <- rbind(X, planted[[k]])
  kind <- c(kind, rep(k, n_each))
}
shuffle <- sample(nrow(X))
X <- X[shuffle, ]
kind <- kind[shuffle]
empty <- sample(which(kind == ""), 1)
X[empty, ] <- NA
duration <- ifelse(kind == "straight", round(runif(length(kind), 0.5, 1.5) * p), round(runif(length(kind), 4, 15) * p))
colnames(X) <- paste0("Q", 1:p)
out <- data.frame(id = seq_len(nrow(X)), X, duration = duration, planted = kind)
write.csv(out, args[1], row.names = FALSE, quote = FALSE, na = "")
