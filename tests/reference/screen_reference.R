# Careless-responding indices in base R, written from the definitions of issue 26 (see
# docs/screening.md), for tests/reference/test_screen_reference.cpp. Independent of bowlby: the
# keys below are typed from the instruments' published keys, and nothing here calls the library
# or the careless package.
#
# Rscript screen_reference.R INPUT.csv OUTPUT.csv INSTRUMENT FIRST_ITEM_COLUMN MIN MAX MISSING [DURATION_COLUMN]
#   The instrument's items are the columns from FIRST_ITEM_COLUMN on, in the instrument's order
#   and presented in that order. MISSING: a code that means no answer ("none" for none).
#   Writes: longstring, longstring_avg, irv, evenodd, psychsyn, psychant, reverse_gap_<subscale>,
#   mahad, mahad_df, mahad_p[, seconds_per_item]; NA as an empty cell, numbers with 17 digits.
args <- commandArgs(trailingOnly = TRUE)
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
key <- keys[[args[3]]]
if (is.null(key)) stop("no key typed in for ", args[3])
subs <- key[names(key) != "n"]
p <- key$n
lo <- as.numeric(args[5]); hi <- as.numeric(args[6])
d <- read.csv(args[1], check.names = FALSE, stringsAsFactors = FALSE)
first <- match(args[4], names(d))
X <- as.matrix(d[, first:(first + p - 1)])
storage.mode(X) <- "double"
if (args[7] != "none") X[!is.na(X) & X == as.numeric(args[7])] <- NA
n <- nrow(X)

# Keyed: an item's direction in the first subscale that holds it.
reversed <- rep(NA, p)
for (s in subs) for (i in s$items) if (is.na(reversed[i])) reversed[i] <- i %in% s$rev
reversed[is.na(reversed)] <- FALSE
K <- X
K[, reversed] <- (lo + hi) - X[, reversed]
answered <- rowSums(!is.na(X))

# longstring: runs of identical answers, column by column; a missing answer ends a run.
run <- matrix(0, n, p)
for (j in 1:p) {
  same <- if (j > 1) !is.na(X[, j]) & !is.na(X[, j - 1]) & X[, j] == X[, j - 1] else rep(FALSE, n)
  same[is.na(same)] <- FALSE
  run[, j] <- ifelse(is.na(X[, j]), 0, ifelse(same, (if (j > 1) run[, j - 1] else 0) + 1, 1))
}
starts <- rowSums(run == 1)
longstring <- apply(run, 1, max)
longstring_avg <- answered / starts

irv <- apply(X, 1, function(x) if (sum(!is.na(x)) < 2) NA else sd(x, na.rm = TRUE))

row_cor <- function(x, y) {
  ok <- !is.na(x) & !is.na(y)
  if (sum(ok) < 3) return(NA)
  x <- x[ok]; y <- y[ok]
  if (sd(x) == 0 || sd(y) == 0) return(NA)
  cor(x, y)
}

# evenodd over subscales that split into halves (in key order).
halved <- Filter(function(s) length(s$items) >= 2, subs)
evenodd <- rep(NA_real_, n)
if (length(halved) >= 3) {
  mean_or_na <- function(M) { m <- rowMeans(M, na.rm = TRUE); m[is.nan(m)] <- NA; m }
  odd <- sapply(halved, function(s) mean_or_na(K[, s$items[seq(1, length(s$items), 2)], drop = FALSE]))
  even <- sapply(halved, function(s) mean_or_na(K[, s$items[seq(2, length(s$items), 2)], drop = FALSE]))
  r <- sapply(1:n, function(i) row_cor(odd[i, ], even[i, ]))
  evenodd <- ifelse(is.na(r), NA, ifelse(r == -1, 1, -pmax(-1, 2 * r / (1 + r))))
}

suppressWarnings(Ck <- cor(K, use = "pairwise.complete.obs"))
suppressWarnings(Cr <- cor(X, use = "pairwise.complete.obs"))
pairs_where <- function(C, keep) {
  w <- which(keep & upper.tri(C) & !is.na(C), arr.ind = TRUE)
  w[order(w[, 1], w[, 2]), , drop = FALSE]
}
syn_r <- 0.60; ant_r <- -0.60
syn <- pairs_where(Ck, Ck >= syn_r)
ant <- pairs_where(Cr, Cr <= ant_r)
within <- function(M, pairs) {
  if (nrow(pairs) < 3) return(rep(NA_real_, n))
  sapply(1:n, function(i) row_cor(M[i, pairs[, 1]], M[i, pairs[, 2]]))
}
psychsyn <- within(K, syn)
psychant <- within(X, ant)

out <- data.frame(longstring, longstring_avg, irv, evenodd, psychsyn, psychant)
for (nm in names(subs)) {
  s <- subs[[nm]]
  fwd <- setdiff(s$items, s$rev)
  if (length(fwd) == 0 || length(s$rev) == 0) next
  f <- rowMeans(X[, fwd, drop = FALSE], na.rm = TRUE)
  r <- rowMeans((lo + hi) - X[, s$rev, drop = FALSE], na.rm = TRUE)
  g <- f - r
  g[is.nan(g)] <- NA
  out[[paste0("reverse_gap_", nm)]] <- g
}

# mahad: the complete rows' mean and covariance; a row with missing answers is measured on
# its answered items with the matching parts of both.
complete <- answered == p
mahad <- rep(NA_real_, n)
if (sum(complete) > p) {
  m <- colMeans(X[complete, , drop = FALSE])
  S <- cov(X[complete, , drop = FALSE])
  ev <- eigen(S, symmetric = TRUE, only.values = TRUE)$values
  if (min(ev) > 1e-10 * max(ev)) {
    pattern <- apply(!is.na(X), 1, function(a) paste(as.integer(a), collapse = ""))
    for (pt in unique(pattern[answered > 0])) {
      rows <- which(pattern == pt)
      a <- which(strsplit(pt, "")[[1]] == "1")
      D <- sweep(X[rows, a, drop = FALSE], 2, m[a])
      mahad[rows] <- rowSums((D %*% solve(S[a, a, drop = FALSE])) * D)
    }
  }
}
out$mahad <- mahad
out$mahad_df <- ifelse(is.na(mahad), NA, answered)
out$mahad_p <- pchisq(mahad, out$mahad_df, lower.tail = FALSE)
if (length(args) >= 8) out$seconds_per_item <- as.numeric(d[[args[8]]]) / p
out[answered == 0, ] <- NA
for (nm in names(out)) out[[nm]] <- ifelse(is.na(out[[nm]]), "", sprintf("%.17g", out[[nm]]))
write.csv(out, args[2], row.names = FALSE, quote = FALSE)
