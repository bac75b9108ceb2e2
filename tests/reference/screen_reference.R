# Careless-responding indices in base R, written from the definitions of issue 26 (see
# docs/screening.md), for tests/reference/test_screen_reference.cpp. Independent of bowlby: the
# keys below are typed from the instruments' published keys, and nothing here calls the library
# or the careless package.
#
# Rscript screen_reference.R INPUT.csv OUTPUT.csv INSTRUMENT FIRST_ITEM_COLUMN MIN MAX MISSING DURATION SYN_R ANT_R
#   The instrument's items are the columns from FIRST_ITEM_COLUMN on, in the instrument's order
#   and presented in that order. MISSING: a code that means no answer ("none" for none).
#   DURATION: the column of total seconds ("none" for none). SYN_R, ANT_R: psychsyn's and
#   psychant's pair thresholds.
#   Writes: longstring, longstring_avg, irv, evenodd, psychsyn, psychant, reverse_gap_<subscale>,
#   mahad, mahad_df, mahad_p[, seconds_per_item]; NA as an empty cell, numbers with 17 digits.
args <- commandArgs(trailingOnly = TRUE)
source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))), "screen_keys.R"))
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
syn_r <- as.numeric(args[9]); ant_r <- as.numeric(args[10])
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
    groups <- split(seq_len(n), pattern)
    for (pt in names(groups)) {
      rows <- groups[[pt]]
      if (answered[rows[1]] == 0) next
      a <- which(strsplit(pt, "")[[1]] == "1")
      D <- sweep(X[rows, a, drop = FALSE], 2, m[a])
      mahad[rows] <- rowSums((D %*% solve(S[a, a, drop = FALSE])) * D)
    }
  }
}
out$mahad <- mahad
out$mahad_df <- ifelse(is.na(mahad), NA, answered)
out$mahad_p <- pchisq(mahad, out$mahad_df, lower.tail = FALSE)
if (args[8] != "none") out$seconds_per_item <- as.numeric(d[[args[8]]]) / p
out[answered == 0, ] <- NA
for (nm in names(out)) out[[nm]] <- ifelse(is.na(out[[nm]]), "", sprintf("%.17g", out[[nm]]))
write.csv(out, args[2], row.names = FALSE, quote = FALSE)
