# change() against Jacobson & Truax's RCI written out here in base R, with the pre wave's
# alpha from psych::alpha, on two synthetic waves with planted changes.

# 80 clients: 1-12 drop 2.5 in anxiety, 13-24 rise 2 in avoidance, the rest move by noise
# only. P900 is in the pre wave only, P901 in the post wave only, P010 twice in the post wave,
# one pre row has no id, and P030 has no avoidance score after. The post rows are shuffled.
make_waves <- function() {
  set.seed(1991)
  n <- 80
  latent <- cbind(rnorm(n, 4, 1), rnorm(n, 4, 1))
  after <- latent
  after[1:12, 1] <- after[1:12, 1] - 2.5
  after[13:24, 2] <- after[13:24, 2] + 2
  ids <- sprintf("P%03d", 1:n)
  pre <- rbind(data.frame(client = ids, answers_around(latent)),
               data.frame(client = c("P900", NA), answers_around(matrix(rnorm(4, 4, 1), 2))))
  post <- rbind(data.frame(client = ids, answers_around(after)),
                data.frame(client = c("P901", "P010"), answers_around(matrix(rnorm(4, 4, 1), 2))))
  post[post$client == "P030", c("Q4", "Q5", "Q6")] <- NA
  post <- post[sample(nrow(post)), ]
  rownames(post) <- NULL
  list(pre = pre, post = post)
}

scores_of <- c("anxiety", "avoidance", "total", "balance")

# Raw alpha of keyed columns of the pre wave (all its rows), by psych.
psych_alpha <- function(pre, cols) {
  suppressMessages(suppressWarnings(psych::alpha(keyed_items(pre)[, cols])))$total$raw_alpha
}

# Everything change() computes, written out: paired ids, scores, basis, RCI, directions.
reference_change <- function(w, reliability = rep(NA, 4), sd = rep(NA, 4), z = 1.96) {
  paired <- setdiff(sprintf("P%03d", 1:80), "P010")
  sp <- reference_scores(w$pre)
  so <- reference_scores(w$post)
  pr <- match(paired, w$pre$client)
  po <- match(paired, w$post$client)
  alpha <- c(psych_alpha(w$pre, 1:3), psych_alpha(w$pre, 4:6), psych_alpha(w$pre, 1:6), NaN)
  rxx <- ifelse(is.na(reliability), alpha, reliability)
  s_pre <- stats::setNames(ifelse(is.na(sd), apply(sp, 2, stats::sd, na.rm = TRUE), sd), scores_of)
  pre <- sp[pr, ]
  post <- so[po, ]
  s_diff <- sqrt(2) * s_pre * sqrt(1 - rxx)
  rci <- sweep(post - pre, 2, s_diff, "/")
  dir <- ifelse(rci > z, "increased", ifelse(rci < -z, "decreased", "none"))
  d2 <- rci[, "anxiety"]^2 + rci[, "avoidance"]^2
  p <- stats::pchisq(d2, 2, lower.tail = FALSE)
  list(id = paired, pre = pre, post = post, alpha = alpha, rxx = rxx, s_pre = s_pre, s_diff = s_diff,
       mean = colMeans(sp, na.rm = TRUE), n = colSums(!is.na(sp)), rci = rci, dir = dir, d2 = d2, p = p)
}

test_that("change() gives Jacobson & Truax's RCI against the pre wave's sd and alpha", {
  w <- make_waves()
  out <- bowlby::change(w$pre, w$post, couple_key(), id = "client")
  ref <- reference_change(w)
  per <- as.vector(t(outer(scores_of, c("_pre", "_post", "_change", "_rci", "_reliable"), paste0)))
  expect_identical(names(out), c("client", per, "joint_d2", "joint_p", "joint_reliable"))
  expect_identical(out$client, ref$id)
  for (k in scores_of) {
    expect_equal(out[[paste0(k, "_pre")]], unname(ref$pre[, k]), tolerance = 1e-9)
    expect_equal(out[[paste0(k, "_post")]], unname(ref$post[, k]), tolerance = 1e-9)
    expect_equal(out[[paste0(k, "_change")]], unname(ref$post[, k] - ref$pre[, k]), tolerance = 1e-9)
    expect_equal(out[[paste0(k, "_rci")]], unname(ref$rci[, k]), tolerance = 1e-9)
    expect_identical(out[[paste0(k, "_reliable")]], unname(ref$dir[, k]))
  }
  # balance (anxiety - avoidance) has no alpha of its own: no RCI without a given reliability.
  expect_true(all(is.na(out$balance_rci)) && all(is.na(out$balance_reliable)))
  expect_true(is.na(out$avoidance_rci[out$client == "P030"]))
  expect_equal(out$joint_d2, unname(ref$d2), tolerance = 1e-9)
  expect_equal(out$joint_p, unname(ref$p), tolerance = 1e-9)
  expect_identical(out$joint_reliable, unname(ref$p < 0.05))
  expect_true(is.na(out$joint_reliable[out$client == "P030"]))
  # The planted changes are found.
  expect_gte(sum(out$anxiety_reliable[1:12] == "decreased"), 9)
  expect_gte(sum(out$avoidance_reliable[13:24] == "increased", na.rm = TRUE), 8)
  expect_lte(mean(out$anxiety_reliable[25:79] != "none"), 0.15)
})

test_that("change()'s report: the basis, the counts, the joint counts and the ids left out", {
  w <- make_waves()
  out <- bowlby::change(w$pre, w$post, couple_key(), id = "client")
  ref <- reference_change(w)
  rep <- attr(out, "report")
  expect_identical(rep$n_paired, 79L)
  expect_identical(rep$pre_rows, 82L)
  expect_identical(rep$post_rows, 82L)
  b <- rep$basis
  expect_identical(b$score, scores_of)
  expect_equal(b$n, unname(ref$n))
  expect_equal(b$mean, unname(ref$mean), tolerance = 1e-9)
  expect_equal(b$sd, unname(ref$s_pre), tolerance = 1e-9)
  expect_equal(b$reliability, ref$alpha, tolerance = 1e-9)
  expect_equal(b$s_diff, unname(ref$s_diff), tolerance = 1e-9)
  expect_identical(b$reliability_source, c("alpha", "alpha", "alpha", "none"))
  expect_identical(b$sd_source, rep("pre wave", 4))
  for (i in seq_along(scores_of)) {
    d <- ref$dir[, i]
    expect_equal(unlist(rep$counts[i, c("increased", "decreased", "none", "missing")]),
                 c(increased = sum(d == "increased", na.rm = TRUE), decreased = sum(d == "decreased", na.rm = TRUE),
                   none = sum(d == "none", na.rm = TRUE), missing = sum(is.na(d))))
  }
  j <- rep$joint
  expect_identical(c(j$anxiety, j$avoidance), c("anxiety", "avoidance"))
  expect_identical(c(j$reliable, j$not_reliable, j$missing),
                   c(sum(ref$p < 0.05, na.rm = TRUE), sum(ref$p >= 0.05, na.rm = TRUE), sum(is.na(ref$p))))
  post010 <- which(w$post$client %in% "P010")
  expect_identical(as.list(rep$unmatched),
                   list(id = c("P010", "P900", "", "P901"), pre_rows = c("10", "81", "82", ""),
                        post_rows = c(paste(post010, collapse = " "), "", "", as.character(which(w$post$client %in% "P901"))),
                        reason = c("repeated in a wave", "pre wave only", "no id", "post wave only")))
})

test_that("change() takes given reliabilities and sds, one per score, NA keeping the sample's", {
  w <- make_waves()
  out <- bowlby::change(w$pre, w$post, couple_key(), id = "client", reliability = c(0.85, NA, NA, 0.6),
                        sd = c(NA, 1.3, NA, NA), rci_z = 1.645)
  ref <- reference_change(w, reliability = c(0.85, NA, NA, 0.6), sd = c(NA, 1.3, NA, NA), z = 1.645)
  for (k in scores_of) {
    expect_equal(out[[paste0(k, "_rci")]], unname(ref$rci[, k]), tolerance = 1e-9)
    expect_identical(out[[paste0(k, "_reliable")]], unname(ref$dir[, k]))
  }
  expect_false(all(is.na(out$balance_rci)))
  b <- attr(out, "report")$basis
  expect_identical(b$reliability_source, c("given", "alpha", "alpha", "given"))
  expect_identical(b$sd_source, c("pre wave", "given", "pre wave", "pre wave"))
  expect_equal(b$sd[2], 1.3)
  expect_error(bowlby::change(w$pre, w$post, couple_key(), id = "client", reliability = 0.8),
               class = "bowlby_option_error", regexp = "4 values")
})

test_that("change() with functional norms gives criterion c and clinical significance", {
  w <- make_waves()
  norms <- list(c(2.5, 0.9), c(2.8, 1.0), NULL, NA)
  ref <- reference_change(w)
  crit <- function(m_fun, s_fun, k) (ref$s_pre[[k]] * m_fun + s_fun * ref$mean[[k]]) / (ref$s_pre[[k]] + s_fun)
  cs <- c(anxiety = crit(2.5, 0.9, "anxiety"), avoidance = crit(2.8, 1.0, "avoidance"))
  for (better in c("lower", "higher")) {
    out <- bowlby::change(w$pre, w$post, couple_key(), id = "client", functional = norms, better = better)
    rep <- attr(out, "report")
    expect_equal(rep$basis$criterion_c, c(cs, NaN, NaN), tolerance = 1e-9, ignore_attr = TRUE)
    good <- if (better == "lower") "decreased" else "increased"
    for (k in names(cs)) {
      d <- ref$dir[, k]
      post <- ref$post[, k]
      past <- if (better == "lower") post < cs[[k]] else post > cs[[k]]
      expected <- ifelse(d == "none", "unchanged", ifelse(d != good, "deteriorated",
                                                           ifelse(past, "recovered", "improved")))
      expect_identical(out[[paste0(k, "_clinical")]], unname(expected))
      outcomes <- c("recovered", "improved", "unchanged", "deteriorated")
      expect_equal(unlist(rep$clinical[rep$clinical$score == k, c(outcomes, "missing")]),
                   c(vapply(outcomes, function(o) sum(expected == o, na.rm = TRUE), 0), missing = sum(is.na(expected))))
    }
    expect_true(all(is.na(out$total_clinical)))
    expect_identical(rep$better, better)
  }
  expect_true(any(out$anxiety_clinical == "recovered") || any(out$anxiety_clinical == "deteriorated"))
  m <- rbind(c(2.5, 0.9), c(2.8, 1.0), c(NA, NA), c(NA, NA))
  expect_identical(bowlby::change(w$pre, w$post, couple_key(), id = "client", functional = m)$anxiety_clinical,
                   bowlby::change(w$pre, w$post, couple_key(), id = "client", functional = norms)$anxiety_clinical)
})

test_that("change(strict = TRUE) names each id that cannot be paired", {
  w <- make_waves()
  err <- expect_error(bowlby::change(w$pre, w$post, couple_key(), id = "client", strict = TRUE),
                      class = "bowlby_pairing_error")
  m <- conditionMessage(err)
  expect_match(m, "4 id(s) cannot be paired (strict = TRUE)", fixed = TRUE)
  p010 <- which(w$post$client %in% "P010")
  expect_match(m, sprintf("id 'P010': 1 row(s) in the pre wave (row 10), 2 row(s) in the post wave (rows %d and %d), an id may appear once in each wave",
                          p010[1], p010[2]), fixed = TRUE)
  expect_match(m, "id 'P900': 1 row(s) in the pre wave (row 81), none in the post wave", fixed = TRUE)
  expect_match(m, "a row with no client: 1 row(s) in the pre wave (row 82)", fixed = TRUE)
  expect_match(m, sprintf("id 'P901': 1 row(s) in the post wave (row %d), none in the pre wave",
                          which(w$post$client %in% "P901")), fixed = TRUE)
  keep <- sprintf("P%03d", c(1:9, 11:80))
  ok <- bowlby::change(w$pre[w$pre$client %in% keep, ], w$post[w$post$client %in% keep, ], couple_key(),
                       id = "client", strict = TRUE)
  expect_identical(nrow(ok), 79L)
})

test_that("change() on an instrument without the attachment plane has no joint test", {
  w <- make_waves()
  q <- bowlby::questionnaire("two", n_items = 6, scale = c(1, 7))
  q <- bowlby::add_subscale(q, "worry", 1:3, reversed = 3)
  q <- bowlby::add_subscale(q, "distance", 4:6, reversed = 6)
  out <- bowlby::change(w$pre, w$post, q, id = "client")
  expect_false("joint_d2" %in% names(out))
  expect_null(attr(out, "report")$joint)
  ref <- reference_change(w)
  expect_equal(out$worry_rci, unname(ref$rci[, "anxiety"]), tolerance = 1e-9)
})

test_that("change() on the ECR-R: each subscale's alpha by psych, the joint test on its plane", {
  set.seed(36)
  n <- 60
  key <- bowlby::questionnaire(from = "ecr-r")  # the items and reversed items of each subscale
  sub <- stats::setNames(key$subscales, vapply(key$subscales, `[[`, "", "name"))
  wave <- function(latent) {
    x <- matrix(NA_real_, n, 36, dimnames = list(NULL, paste0("Q", 1:36)))
    for (k in c("anxiety", "avoidance")) {
      level <- latent[, if (k == "anxiety") 1 else 2]
      for (i in sub[[k]]$items) {
        v <- pmin(7, pmax(1, round(level + rnorm(n, sd = 0.8))))
        x[, i] <- if (i %in% sub[[k]]$reversed) 8 - v else v
      }
    }
    data.frame(id = seq_len(n), x)
  }
  latent <- cbind(rnorm(n, 4, 1), rnorm(n, 4, 1))
  pre <- wave(latent)
  latent[1:10, ] <- latent[1:10, ] - 1.5
  post <- wave(latent)
  keyed <- function(w, k) {
    x <- as.matrix(w[paste0("Q", sub[[k]]$items)])
    r <- sub[[k]]$items %in% sub[[k]]$reversed
    x[, r] <- 8 - x[, r]
    x
  }
  out <- bowlby::change(pre, post, "ecr-r", id = "id", items = "Q1:Q36")
  expect_identical(out$id, 1:60)
  rci <- list()
  for (k in c("anxiety", "avoidance")) {
    a <- suppressMessages(suppressWarnings(psych::alpha(keyed(pre, k))))$total$raw_alpha
    s0 <- rowMeans(keyed(pre, k))
    s1 <- rowMeans(keyed(post, k))
    rci[[k]] <- (s1 - s0) / (sqrt(2) * stats::sd(s0) * sqrt(1 - a))
    expect_equal(attr(out, "report")$basis$reliability[attr(out, "report")$basis$score == k], a, tolerance = 1e-9)
    expect_equal(out[[paste0(k, "_rci")]], rci[[k]], tolerance = 1e-9)
  }
  d2 <- rci$anxiety^2 + rci$avoidance^2
  expect_equal(out$joint_d2, d2, tolerance = 1e-9)
  expect_equal(out$joint_p, stats::pchisq(d2, 2, lower.tail = FALSE), tolerance = 1e-9)
  expect_gte(sum(out$joint_reliable[1:10]), 7)
})

test_that("change(classify = 'median') classifies both waves by the pre wave's medians and SEMs", {
  w <- make_waves()
  out <- bowlby::change(w$pre, w$post, couple_key(), id = "client", classify = "median")
  ref <- reference_change(w)
  expect_identical(names(out)[(ncol(out) - 3):ncol(out)],
                   c("category_pre", "category_pre_p", "category_post", "category_post_p"))
  sp <- reference_scores(w$pre)
  cut <- c(stats::median(sp[, "anxiety"]), stats::median(sp[, "avoidance"]))
  # SEM = sd sqrt(1 - alpha) of each subscale over all rows of the pre wave.
  sem <- c(stats::sd(sp[, "anxiety"]) * sqrt(1 - ref$alpha[1]), stats::sd(sp[, "avoidance"]) * sqrt(1 - ref$alpha[2]))
  by_cut <- function(s) {
    cat <- ifelse(s[, "anxiety"] > cut[1], ifelse(s[, "avoidance"] > cut[2], "fearful", "preoccupied"),
                  ifelse(s[, "avoidance"] > cut[2], "dismissing", "secure"))
    cat[is.na(cat) | s[, "anxiety"] %in% cut[1] | s[, "avoidance"] %in% cut[2]] <- "unclassified"
    p <- stats::pnorm(abs(s[, "anxiety"] - cut[1]) / sem[1]) * stats::pnorm(abs(s[, "avoidance"] - cut[2]) / sem[2])
    list(cat = unname(cat), p = unname(ifelse(cat == "unclassified", NA, p)))
  }
  a <- by_cut(ref$pre)
  b <- by_cut(ref$post)
  expect_s3_class(out$category_pre, "factor")
  expect_identical(as.character(out$category_pre), a$cat)
  expect_identical(as.character(out$category_post), b$cat)
  expect_identical(as.character(out$category_post[out$client == "P030"]), "unclassified")
  expect_equal(ifelse(is.nan(out$category_pre_p), NA, out$category_pre_p), a$p, tolerance = 1e-10)
  expect_equal(ifelse(is.nan(out$category_post_p), NA, out$category_post_p), b$p, tolerance = 1e-10)
  levels <- c("secure", "preoccupied", "dismissing", "fearful", "unclassified")
  tr <- attr(out, "report")$transitions
  expect_identical(dim(tr), c(5L, 5L))
  expect_identical(dimnames(tr), list(pre = levels, post = levels))
  expect_identical(as.vector(tr), as.vector(table(factor(a$cat, levels), factor(b$cat, levels))))
  # The post wave's own medians are other cuts: the post wave is classified by the pre wave's.
  so <- reference_scores(w$post)
  expect_false(isTRUE(all.equal(cut, c(stats::median(so[, "anxiety"], na.rm = TRUE),
                                      stats::median(so[, "avoidance"], na.rm = TRUE)))))
})

test_that("change(classify =) passes the rule's options and given SEMs to classify()", {
  w <- make_waves()
  out <- bowlby::change(w$pre, w$post, couple_key(), id = "client", classify = "midpoint", cut = c(3.5, 4.5),
                        at_cut = "high", sem = c(0.5, 0.25))
  ref <- reference_change(w)
  cat_of <- function(s) {
    hi_anx <- s[, "anxiety"] >= 3.5
    hi_avo <- s[, "avoidance"] >= 4.5
    out <- ifelse(hi_anx, ifelse(hi_avo, "fearful", "preoccupied"), ifelse(hi_avo, "dismissing", "secure"))
    unname(ifelse(is.na(out), "unclassified", out))
  }
  expect_identical(as.character(out$category_pre), cat_of(ref$pre))
  expect_identical(as.character(out$category_post), cat_of(ref$post))
  p <- unname(stats::pnorm(abs(ref$pre[, "anxiety"] - 3.5) / 0.5) * stats::pnorm(abs(ref$pre[, "avoidance"] - 4.5) / 0.25))
  expect_equal(out$category_pre_p, p, tolerance = 1e-10)
  expect_null(attr(bowlby::change(w$pre, w$post, couple_key(), id = "client"), "report")$transitions)
})

test_that("change(classify =) on the AAS: the avoidance SEM is close_depend's, its twelve items as one scale", {
  set.seed(18)
  n <- 70
  key <- bowlby::questionnaire(from = "aas")
  sub <- stats::setNames(key$subscales, vapply(key$subscales, `[[`, "", "name"))
  wave <- function(anx, close) {
    x <- matrix(NA_real_, n, 18, dimnames = list(NULL, paste0("A", 1:18)))
    for (k in names(sub)) {
      level <- if (k == "anxiety") anx else close
      for (i in sub[[k]]$items) {
        v <- pmin(5, pmax(1, round(level + rnorm(n, sd = 0.7))))
        x[, i] <- if (i %in% sub[[k]]$reversed) 6 - v else v
      }
    }
    data.frame(id = seq_len(n), x)
  }
  anx <- rnorm(n, 3, 0.8)
  close <- rnorm(n, 3, 0.8)
  pre <- wave(anx, close)
  post <- wave(anx - 0.5, close + 0.5)
  keyed <- function(w, items, reversed) {
    x <- as.matrix(w[paste0("A", items)])
    r <- items %in% reversed
    x[, r] <- 6 - x[, r]
    x
  }
  cd_items <- c(sub$close$items, sub$depend$items)
  cd_rev <- c(sub$close$reversed, sub$depend$reversed)
  # close_depend = 0.5 close + 0.5 depend (the key's derived score); avoidance = 6 - close_depend.
  plane <- function(w) cbind(anx = rowMeans(keyed(w, sub$anxiety$items, sub$anxiety$reversed)),
                             avo = 6 - (0.5 * rowMeans(keyed(w, sub$close$items, sub$close$reversed)) +
                                          0.5 * rowMeans(keyed(w, sub$depend$items, sub$depend$reversed))))
  sem_of <- function(k) {
    a <- suppressMessages(suppressWarnings(psych::alpha(k)))$total$raw_alpha
    stats::sd(rowMeans(k)) * sqrt(1 - a)
  }
  sem <- c(sem_of(keyed(pre, sub$anxiety$items, sub$anxiety$reversed)), sem_of(keyed(pre, cd_items, cd_rev)))
  p0 <- plane(pre)
  p1 <- plane(post)
  cut <- c(stats::median(p0[, "anx"]), stats::median(p0[, "avo"]))
  firm <- function(p) {
    out <- stats::pnorm(abs(p[, "anx"] - cut[1]) / sem[1]) * stats::pnorm(abs(p[, "avo"] - cut[2]) / sem[2])
    out[p[, "anx"] == cut[1] | p[, "avo"] == cut[2]] <- NA
    unname(out)
  }
  out <- bowlby::change(pre, post, "aas", id = "id", items = "A1:A18", classify = "median")
  expect_equal(ifelse(is.nan(out$category_pre_p), NA, out$category_pre_p), firm(p0), tolerance = 1e-10)
  expect_equal(ifelse(is.nan(out$category_post_p), NA, out$category_post_p), firm(p1), tolerance = 1e-10)
  high <- function(p) unname(ifelse(p[, "anx"] > cut[1], ifelse(p[, "avo"] > cut[2], "fearful", "preoccupied"),
                                    ifelse(p[, "avo"] > cut[2], "dismissing", "secure")))
  on_cut <- function(p) p[, "anx"] == cut[1] | p[, "avo"] == cut[2]
  expect_identical(as.character(out$category_post)[!on_cut(p1)], high(p1)[!on_cut(p1)])
})
