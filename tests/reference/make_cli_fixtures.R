# Makes the CLI test fixtures in tests/data/ and their expected scores, computed here in R
# independently of bowlby (base R only: rowMeans after reverse keying).
#
#   Rscript tests/reference/make_cli_fixtures.R            (from the repository root)
#
# For each fixture NAME it writes NAME.csv (the input), NAME.expected.csv (row, kept id, each
# score and its answered count, status) and NAME.report.csv (n, mean, sd and status counts of
# each score). The C++ test tests/cli/test_cli.cpp runs `bowlby score` on NAME.csv with the options
# listed next to each fixture below and compares.
set.seed(20261122)
out_dir <- file.path("tests", "data")
dir.create(out_dir, showWarnings = FALSE)

# A subscale: items (1-based columns of the item matrix) and the reverse-keyed subset.
subscale <- function(name, items, rev = integer(0)) list(name = name, items = items, rev = rev)

score_r <- function(X, subs, lo, hi, min_answered) {
  res <- list()
  for (s in subs) {
    x <- X[, s$items, drop = FALSE]
    for (r in s$rev) {
      j <- match(r, s$items)
      x[, j] <- (lo + hi) - x[, j]
    }
    k <- length(s$items)
    n <- rowSums(!is.na(x))
    need <- max(1, ceiling(min_answered * k - 1e-9))
    m <- rowMeans(x, na.rm = TRUE)
    m[n < need] <- NA
    status <- ifelse(n == k, "complete", ifelse(n >= need, "prorated", "insufficient"))
    res[[s$name]] <- list(value = m, n = n, status = status)
  }
  res
}

# A derived score: sum of weight * score; missing when any part is.
derive <- function(scores, weights) {
  v <- 0; n <- 0; st <- rep("complete", length(scores[[1]]$value))
  for (nm in names(weights)) {
    v <- v + weights[[nm]] * scores[[nm]]$value
    n <- n + scores[[nm]]$n
    st[scores[[nm]]$status == "prorated" & st == "complete"] <- "prorated"
    st[scores[[nm]]$status == "insufficient"] <- "insufficient"
  }
  list(value = v, n = n, status = st)
}

fmt <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))

write_expected <- function(name, ids, scores) {
  df <- data.frame(row = seq_along(ids), id = ids)
  rank <- c(complete = 1, prorated = 2, insufficient = 3)
  worst <- rep(1, length(ids))
  for (nm in names(scores)) {
    df[[nm]] <- fmt(scores[[nm]]$value)
    df[[paste0(nm, "_n")]] <- scores[[nm]]$n
    worst <- pmax(worst, rank[scores[[nm]]$status])
  }
  df$status <- names(rank)[worst]
  write.csv(df, file.path(out_dir, paste0(name, ".expected.csv")), row.names = FALSE, quote = FALSE)
  rep <- data.frame(
    name = names(scores),
    n = sapply(scores, function(s) sum(!is.na(s$value))),
    mean = sapply(scores, function(s) fmt(mean(s$value, na.rm = TRUE))),
    sd = sapply(scores, function(s) fmt(sd(s$value, na.rm = TRUE))),
    complete = sapply(scores, function(s) sum(s$status == "complete")),
    prorated = sapply(scores, function(s) sum(s$status == "prorated")),
    insufficient = sapply(scores, function(s) sum(s$status == "insufficient")))
  write.csv(rep, file.path(out_dir, paste0(name, ".report.csv")), row.names = FALSE, quote = FALSE)
}

# Random answers on lo..hi with a share of missing cells, as a numeric matrix.
answers <- function(n, k, lo, hi, p_missing) {
  X <- matrix(sample(lo:hi, n * k, replace = TRUE), n, k)
  X[matrix(runif(n * k) < p_missing, n, k)] <- NA
  X
}

# Writes a fixture; missing cells cycle through the spellings "", "NA" and "." (or a code).
write_input <- function(name, ids, X, colnames_items, missing_code = NULL, extra = NULL) {
  cells <- matrix(as.character(X), nrow(X))
  miss <- which(is.na(X))
  if (is.null(missing_code)) {
    cells[miss] <- rep_len(c("", "NA", "."), length(miss))
  } else {
    cells[miss] <- missing_code
  }
  colnames(cells) <- colnames_items
  df <- data.frame(id = ids, cells, check.names = FALSE, stringsAsFactors = FALSE)
  if (!is.null(extra)) df <- cbind(df, extra)
  write.csv(df, file.path(out_dir, paste0(name, ".csv")), row.names = FALSE, quote = FALSE, na = "")
}

# --- ECR on 1-7, default options (min answered 0.5) ---------------------------------------
# bowlby score --instrument ecr --items Q1:Q36 --keep id
ecr_subs <- list(
  subscale("anxiety", seq(2, 36, 2), c(22)),
  subscale("avoidance", seq(1, 35, 2), c(3, 15, 19, 25, 27, 29, 31, 33, 35)))
X <- answers(40, 36, 1, 7, 0.08)
X[1, ] <- c(1:7, 1:7, 1:7, 1:7, 1:7, 1)          # complete
X[2:3, ] <- sample(1:7, 72, replace = TRUE)      # rows 2 and 3 fully answered, then:
X[2, seq(2, 36, 2)[1:9]] <- NA                   # anxiety: 9 of 18 answered, exactly the threshold
X[3, seq(2, 36, 2)[1:10]] <- NA                  # anxiety: 8 of 18 answered, insufficient
X[3, seq(1, 35, 2)] <- 4
X[4, ] <- NA                                     # nothing answered
X[5, ] <- 7
ids <- sprintf("P%02d", 1:40)
write_input("ecr_small", ids, X, paste0("Q", 1:36), extra = data.frame(note = rep("x", 40)))
write_expected("ecr_small", ids, score_r(X, ecr_subs, 1, 7, 0.5))

# The same data as CRLF, with a UTF-8 byte-order mark and quoted fields: same expected scores.
lines <- readLines(file.path(out_dir, "ecr_small.csv"))
lines[1] <- paste0("\"", gsub(",", "\",\"", lines[1]), "\"")
lines[-1] <- sub("^(P[0-9]+),", "\"\\1\",", lines[-1])
con <- file(file.path(out_dir, "ecr_small_crlf_bom.csv"), "wb")
writeBin(as.raw(c(0xEF, 0xBB, 0xBF)), con)
writeBin(charToRaw(paste0(paste(lines, collapse = "\r\n"), "\r\n")), con)
close(con)

# --- ECR given on 1-5 with missing coded 0, min answered 0.8 -----------------------------
# bowlby score --instrument ecr --items Q1:Q36 --keep id --scale 1:5 --missing-code 0 --min-answered 0.8
X <- answers(30, 36, 1, 5, 0.06)
X[1:2, ] <- sample(1:5, 72, replace = TRUE)      # rows 1 and 2 fully answered, then:
X[1, seq(1, 35, 2)[1:3]] <- NA                   # avoidance 15 of 18 (0.833): prorated
X[2, seq(1, 35, 2)[1:4]] <- NA                   # avoidance 14 of 18 (0.778): insufficient
ids <- sprintf("S%02d", 1:30)
write_input("ecr_5pt", ids, X, paste0("Q", 1:36), missing_code = "0")
write_expected("ecr_5pt", ids, score_r(X, ecr_subs, 1, 5, 0.8))

# --- RQ with its columns in another order, named by prototype ---------------------------
# bowlby score --instrument rq --items sec,fea,pre,dis --keep id
X <- answers(25, 4, 1, 7, 0.05)                  # columns: secure, fearful, preoccupied, dismissing
X[1, ] <- c(7, 1, 2, 3)
ids <- sprintf("Q%02d", 1:25)
df_items <- X[, c(4, 1, 2, 3)]                   # file order: dis, sec, fea, pre
write_input("rq_small", ids, df_items, c("dis", "sec", "fea", "pre"))
rq <- score_r(X, list(subscale("secure", 1), subscale("fearful", 2), subscale("preoccupied", 3), subscale("dismissing", 4)), 1, 7, 0.5)
rq$model_of_self <- derive(rq, list(secure = 1, dismissing = 1, fearful = -1, preoccupied = -1))
rq$model_of_other <- derive(rq, list(secure = 1, preoccupied = 1, fearful = -1, dismissing = -1))
write_expected("rq_small", ids, rq)

# --- ECR-RS: four targets and the global means --------------------------------------------
# bowlby score --instrument ecr-rs --items i1:i36 --keep id
X <- answers(25, 36, 1, 7, 0.07)
ids <- sprintf("T%02d", 1:25)
write_input("ecr_rs_small", ids, X, paste0("i", 1:36))
rs_subs <- list()
for (t in 0:3) {
  target <- c("mother", "father", "partner", "friend")[t + 1]
  rs_subs[[length(rs_subs) + 1]] <- subscale(paste0("anxiety_", target), 9 * t + 7:9)
  rs_subs[[length(rs_subs) + 1]] <- subscale(paste0("avoidance_", target), 9 * t + 1:6, 9 * t + 1:4)
}
rs <- score_r(X, rs_subs, 1, 7, 0.5)
rs$anxiety_global <- derive(rs, list(anxiety_mother = 0.25, anxiety_father = 0.25, anxiety_partner = 0.25,
                                     anxiety_friend = 0.25))
rs$avoidance_global <- derive(rs, list(avoidance_mother = 0.25, avoidance_father = 0.25,
                                       avoidance_partner = 0.25, avoidance_friend = 0.25))
write_expected("ecr_rs_small", ids, rs)

# --- RSQ (1-5): item 6 feeds two prototypes, reversed in one ------------------------------
# bowlby score --instrument rsq --items r1:r30 --keep id
X <- answers(25, 30, 1, 5, 0.05)
ids <- sprintf("U%02d", 1:25)
write_input("rsq_small", ids, X, paste0("r", 1:30))
write_expected("rsq_small", ids, score_r(X, list(
  subscale("secure", c(3, 9, 10, 15, 28), c(9, 28)),
  subscale("fearful", c(1, 5, 12, 24)),
  subscale("preoccupied", c(6, 8, 16, 25), c(6)),
  subscale("dismissing", c(2, 6, 19, 22, 26))), 1, 5, 0.5))

# --- AAS (1-5) with close_depend ----------------------------------------------------------
# bowlby score --instrument aas --items a1:a18 --keep id
X <- answers(25, 18, 1, 5, 0.05)
ids <- sprintf("V%02d", 1:25)
write_input("aas_small", ids, X, paste0("a", 1:18))
aas <- score_r(X, list(
  subscale("close", c(1, 6, 8, 12, 13, 17), c(8, 13, 17)),
  subscale("depend", c(2, 5, 7, 14, 16, 18), c(2, 7, 16, 18)),
  subscale("anxiety", c(3, 4, 9, 10, 11, 15))), 1, 5, 0.5)
aas$close_depend <- derive(aas, list(close = 0.5, depend = 0.5))
write_expected("aas_small", ids, aas)
