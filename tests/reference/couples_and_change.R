# Synthetic couples and two-wave data with planted structure, and every statistic of
# `bowlby dyads` and `bowlby change` computed here in base R from the formulas (not from
# bowlby): scoring, pairing, Griffin & Gonzalez's (1995) pairwise intraclass and
# cross-intraclass correlations, Pearson's correlations between distinguishable partners,
# Jacobson & Truax's (1991) reliable change index with alpha from the pre wave, the joint
# test, criterion c, and midpoint categories.
#
#   Rscript tests/reference/couples_and_change.R OUT_DIR
#
# Run by tests/reference/test_couples_and_change.cpp at test time, which then runs bowlby on
# the data written here and compares to 1e-9. The instrument is the ECR-S (12 items, 1-7):
# anxiety = items 2 4 6 8 10 12 (8 reversed), avoidance = 1 3 5 7 9 11 (1 5 9 reversed).
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "."
dir.create(out, showWarnings = FALSE, recursive = TRUE)
set.seed(27)

anx_items <- c(2, 4, 6, 8, 10, 12); anx_rev <- 8
avo_items <- c(1, 3, 5, 7, 9, 11); avo_rev <- c(1, 5, 9)
fmt <- function(v) ifelse(is.na(v), "", sprintf("%.17g", v))
wcsv <- function(df, name) write.csv(df, file.path(out, name), row.names = FALSE, quote = FALSE, na = "")

# Answers (1-7) whose keyed means are near the latent scores; reversed items written reversed.
answers_for <- function(anx, avo) {
  n <- length(anx)
  X <- matrix(NA_real_, n, 12)
  for (j in anx_items) X[, j] <- pmin(7, pmax(1, round(anx + rnorm(n, 0, 0.8))))
  for (j in avo_items) X[, j] <- pmin(7, pmax(1, round(avo + rnorm(n, 0, 0.8))))
  for (j in c(anx_rev, avo_rev)) X[, j] <- 8 - X[, j]
  X
}

# Keyed means of a subscale, missing with fewer than half of its items answered.
subscale <- function(X, items, rev) {
  x <- X[, items, drop = FALSE]
  for (r in rev) x[, match(r, items)] <- 8 - x[, match(r, items)]
  n <- rowSums(!is.na(x))
  m <- rowMeans(x, na.rm = TRUE)
  m[n < ceiling(0.5 * length(items) - 1e-9)] <- NA
  m
}
keyed <- function(X, items, rev) {
  x <- X[, items, drop = FALSE]
  for (r in rev) x[, match(r, items)] <- 8 - x[, match(r, items)]
  x
}
scores_of <- function(X) cbind(anxiety = subscale(X, anx_items, anx_rev), avoidance = subscale(X, avo_items, avo_rev))

# Midpoint rule on 1-7, a score exactly on 4 unclassified.
category <- function(anx, avo) {
  ifelse(is.na(anx) | is.na(avo) | anx == 4 | avo == 4, "unclassified",
         ifelse(anx < 4, ifelse(avo < 4, "secure", "dismissing"), ifelse(avo < 4, "preoccupied", "fearful")))
}
pairing_of <- function(a, b) {
  ifelse(a == "unclassified" | b == "unclassified", "", paste0(pmin(a, b), "+", pmax(a, b)))
}
item_frame <- function(X) { d <- as.data.frame(X); names(d) <- paste0("Q", 1:12); d }

# ---- couples ------------------------------------------------------------------------------
# 60 couples: partners share a couple component (planted similarity), and in half of them one
# partner's anxiety goes with the other's avoidance (pursuer-distancer).
n_couples <- 60
shared_anx <- rnorm(n_couples, 0, 0.9); shared_avo <- rnorm(n_couples, 0, 0.9)
pd <- rnorm(n_couples, 0, 0.8)
anx1 <- 4 + shared_anx + pd + rnorm(n_couples, 0, 0.6); avo1 <- 3.5 + shared_avo + rnorm(n_couples, 0, 0.6)
anx2 <- 4 + shared_anx + rnorm(n_couples, 0, 0.6); avo2 <- 3.5 + shared_avo + pd + rnorm(n_couples, 0, 0.6)
ids <- sprintf("C%02d", 1:n_couples)
role1 <- rep("2", n_couples); role2 <- rep("1", n_couples)  # role 1 is written second
role1[5] <- "10"; role2[5] <- "2"                            # numbers: 2 < 10 (text would say "10" < "2")
X <- rbind(answers_for(anx1, avo1), answers_for(anx2, avo2))
dyad <- c(ids, ids); role <- c(role1, role2)
# Missing scores: couple 7's first partner skips most anxiety items; a few missing cells elsewhere.
X[7, anx_items[1:4]] <- NA
X[20, 3] <- NA; X[n_couples + 33, 10] <- NA
# Pairing problems: a single person, a triple, two partners with the same role, a row without id.
X <- rbind(X, answers_for(c(3, 5, 4, 2.5), c(2, 6, 3, 4.5)), answers_for(c(3.3, 4.4), c(5, 2)))
dyad <- c(dyad, "S1", "T1", "T1", "T1", "E1", "E1")
role <- c(role, "1", "1", "2", "3", "1", "1")
X <- rbind(X, answers_for(4.2, 3.1)); dyad <- c(dyad, ""); role <- c(role, "1")
# File order: interleave so that partners are not adjacent.
ord <- c(rbind(1:n_couples, n_couples + (1:n_couples)))
ord <- c(ord[1:40], (2 * n_couples + 1):nrow(X), ord[41:(2 * n_couples)])
X <- X[ord, ]; dyad <- dyad[ord]; role <- role[ord]
couples <- data.frame(dyad = dyad, role = role, item_frame(X))
wcsv(couples, "couples.csv")
S <- scores_of(X)

pair_rows <- function(dyad, role = NULL) {
  first <- unique(dyad)
  pairs <- list(); unpaired <- list()
  for (d in first) {
    rows <- which(dyad == d)
    if (d == "") { for (r in rows) unpaired[[length(unpaired) + 1]] <- list(d, 1, "no dyad id"); next }
    if (length(rows) != 2) {
      unpaired[[length(unpaired) + 1]] <- list(d, length(rows), if (length(rows) == 1) "one row" else "more than two rows")
      next
    }
    if (!is.null(role)) {
      a <- suppressWarnings(as.numeric(role[rows]))
      if (all(!is.na(a))) o <- sign(a[1] - a[2]) else o <- if (role[rows[1]] == role[rows[2]]) 0 else if (role[rows[1]] < role[rows[2]]) -1 else 1
      if (o == 0) { unpaired[[length(unpaired) + 1]] <- list(d, 2, "equal distinguishing values"); next }
      if (o > 0) rows <- rev(rows)
    }
    pairs[[length(pairs) + 1]] <- list(d, rows[1], rows[2])
  }
  list(pairs = data.frame(dyad = sapply(pairs, `[[`, 1), r1 = sapply(pairs, `[[`, 2), r2 = sapply(pairs, `[[`, 3)),
       unpaired = data.frame(dyad = sapply(unpaired, `[[`, 1), rows = sapply(unpaired, `[[`, 2),
                             reason = sapply(unpaired, `[[`, 3)))
}

# Griffin & Gonzalez (1995): the double-entry correlation of one partner's x with the other's y.
double_entry <- function(x1, x2, y1, y2, same) {
  ok <- !is.na(x1) & !is.na(x2) & !is.na(y1) & !is.na(y2)
  x1 <- x1[ok]; x2 <- x2[ok]; y1 <- y1[ok]; y2 <- y2[ok]
  mx <- mean(c(x1, x2)); my <- mean(c(y1, y2))
  num <- sum((x1 - mx) * (y2 - my) + (x2 - mx) * (y1 - my))
  r <- if (same) num / sum((x1 - mx)^2 + (x2 - mx)^2) else num / sqrt(sum((x1 - mx)^2 + (x2 - mx)^2) * sum((y1 - my)^2 + (y2 - my)^2))
  c(r = r, n = sum(ok))
}
pearson <- function(a, b) { ok <- !is.na(a) & !is.na(b); c(r = cor(a[ok], b[ok]), n = sum(ok)) }

dyad_outputs <- function(p, tag, distinguish) {
  a1 <- S[p$pairs$r1, "anxiety"]; a2 <- S[p$pairs$r2, "anxiety"]
  v1 <- S[p$pairs$r1, "avoidance"]; v2 <- S[p$pairs$r2, "avoidance"]
  c1 <- category(a1, v1); c2 <- category(a2, v2)
  wide <- data.frame(dyad = p$pairs$dyad, anxiety_1 = fmt(a1), anxiety_2 = fmt(a2), anxiety_diff = fmt(a1 - a2),
                     avoidance_1 = fmt(v1), avoidance_2 = fmt(v2), avoidance_diff = fmt(v1 - v2),
                     category_1 = c1, category_2 = c2, pairing = pairing_of(c1, c2))
  wcsv(wide, paste0("dyads_", tag, "_wide.csv"))
  st <- if (!distinguish) {
    ia <- double_entry(a1, a2, a1, a2, TRUE); iv <- double_entry(v1, v2, v1, v2, TRUE); ca <- double_entry(a1, a2, v1, v2, FALSE)
    data.frame(kind = c("intraclass", "intraclass", "cross_intraclass"), x = c("anxiety", "avoidance", "anxiety"),
               y = c("anxiety", "avoidance", "avoidance"), r = fmt(c(ia["r"], iv["r"], ca["r"])),
               z = fmt(c(ia["r"] * sqrt(ia["n"]), iv["r"] * sqrt(iv["n"]), NA)), n = c(ia["n"], iv["n"], ca["n"]))
  } else {
    pa <- pearson(a1, a2); pv <- pearson(v1, v2); xav <- pearson(a1, v2); xva <- pearson(v1, a2)
    data.frame(kind = c("partner_correlation", "partner_correlation", "cross_partner_correlation", "cross_partner_correlation"),
               x = c("anxiety", "avoidance", "anxiety", "avoidance"), y = c("anxiety", "avoidance", "avoidance", "anxiety"),
               r = fmt(c(pa["r"], pv["r"], xav["r"], xva["r"])), z = "", n = c(pa["n"], pv["n"], xav["n"], xva["n"]))
  }
  wcsv(st, paste0("dyads_", tag, "_stats.csv"))
  wcsv(p$unpaired, paste0("dyads_", tag, "_unpaired.csv"))
  cats <- c("secure", "preoccupied", "dismissing", "fearful"); keys <- c()
  for (i in 1:4) for (j in i:4) keys <- c(keys, paste0(min(cats[i], cats[j]), "+", max(cats[i], cats[j])))
  pr <- pairing_of(c1, c2)
  wcsv(data.frame(pairing = c(keys, "unclassified"), n = c(sapply(keys, function(k) sum(pr == k)), sum(pr == ""))),
       paste0("dyads_", tag, "_pairings.csv"))
  if (!distinguish) {
    pw <- data.frame(dyad = rep(p$pairs$dyad, each = 2), actor = rep(1:2, nrow(p$pairs)),
                     anxiety = fmt(c(rbind(a1, a2))), partner_anxiety = fmt(c(rbind(a2, a1))),
                     avoidance = fmt(c(rbind(v1, v2))), partner_avoidance = fmt(c(rbind(v2, v1))),
                     category = c(rbind(c1, c2)), partner_category = c(rbind(c2, c1)))
    wcsv(pw, paste0("dyads_", tag, "_pairwise.csv"))
  }
}
dyad_outputs(pair_rows(dyad), "plain", FALSE)
dyad_outputs(pair_rows(dyad, role), "role", TRUE)

# ---- two waves ----------------------------------------------------------------------------
# 80 people before and after therapy: most change little; 12 planted large drops in anxiety
# (and some in avoidance), 5 planted rises.
n_people <- 80
anx_pre <- rnorm(n_people, 4.3, 1.0); avo_pre <- rnorm(n_people, 3.8, 1.0)
d_anx <- rnorm(n_people, 0, 0.25); d_avo <- rnorm(n_people, 0, 0.25)
d_anx[1:12] <- -2.2; d_avo[1:6] <- -1.8; d_anx[13:17] <- 1.8
pid <- sprintf("P%03d", 1:n_people)
Xpre <- answers_for(anx_pre, avo_pre); Xpost <- answers_for(anx_pre + d_anx, avo_pre + d_avo)
Xpost[20, anx_items[1:5]] <- NA  # person 20 has no anxiety score after
Xpre[30, 1] <- NA; Xpost[31, 12] <- NA
# Problems: one id only before, one only after, one twice after.
Xpre <- rbind(Xpre, answers_for(5, 5)); pre_id <- c(pid, "P900")
Xpost <- rbind(Xpost, answers_for(c(3, 3.5), c(2, 2.5))); post_id <- c(pid, "P901", "P010")
waves <- rbind(data.frame(id = pre_id, wave = "t1", item_frame(Xpre)), data.frame(id = post_id, wave = "t2", item_frame(Xpost)))
waves <- rbind(waves, data.frame(id = "P001", wave = "t3", item_frame(answers_for(4, 4))))  # another wave, ignored
wcsv(waves, "waves.csv")
wcsv(data.frame(id = pre_id, item_frame(Xpre)), "waves_pre.csv")
wcsv(data.frame(id = post_id, item_frame(Xpost)), "waves_post.csv")

Spre <- scores_of(Xpre); Spost <- scores_of(Xpost)
# Raw alpha of the keyed items from pairwise covariances: k/(k-1) (1 - tr C / sum C).
alpha <- function(x) { C <- cov(x, use = "pairwise.complete.obs"); k <- ncol(x); k / (k - 1) * (1 - sum(diag(C)) / sum(C)) }
rel <- c(anxiety = alpha(keyed(Xpre, anx_items, anx_rev)), avoidance = alpha(keyed(Xpre, avo_items, avo_rev)))
sdv <- apply(Spre, 2, sd, na.rm = TRUE); mv <- colMeans(Spre, na.rm = TRUE); nv <- colSums(!is.na(Spre))
fun <- list(anxiety = c(3.0, 1.1), avoidance = c(2.5, 1.0))
cc <- sapply(names(fun), function(s) (sdv[[s]] * fun[[s]][1] + fun[[s]][2] * mv[[s]]) / (sdv[[s]] + fun[[s]][2]))
sdiff <- sqrt(2) * sdv * sqrt(1 - rel)
paired <- pid[pid != "P010"]
i_pre <- match(paired, pre_id); i_post <- match(paired, post_id)
res <- data.frame(id = paired)
rci <- list()
counts <- data.frame()
for (s in c("anxiety", "avoidance")) {
  a <- Spre[i_pre, s]; b <- Spost[i_post, s]; ch <- b - a; r <- ch / sdiff[[s]]
  rel_dir <- ifelse(is.na(r), "", ifelse(r > 1.96, "increased", ifelse(r < -1.96, "decreased", "none")))
  clin <- ifelse(rel_dir == "", "", ifelse(rel_dir == "none", "unchanged", ifelse(rel_dir == "increased", "deteriorated",
                 ifelse(b < cc[[s]], "recovered", "improved"))))
  res[[paste0(s, "_pre")]] <- fmt(a); res[[paste0(s, "_post")]] <- fmt(b); res[[paste0(s, "_change")]] <- fmt(ch)
  res[[paste0(s, "_rci")]] <- fmt(r); res[[paste0(s, "_reliable")]] <- rel_dir; res[[paste0(s, "_clinical")]] <- clin
  rci[[s]] <- r
  counts <- rbind(counts, data.frame(name = s, pre_n = nv[[s]], pre_mean = fmt(mv[[s]]), sd = fmt(sdv[[s]]),
                                     reliability = fmt(rel[[s]]), s_diff = fmt(sdiff[[s]]), criterion_c = fmt(cc[[s]]),
                                     increased = sum(rel_dir == "increased"), decreased = sum(rel_dir == "decreased"),
                                     none = sum(rel_dir == "none"), missing = sum(rel_dir == "")))
}
d2 <- rci$anxiety^2 + rci$avoidance^2; p <- exp(-d2 / 2)
res$joint_d2 <- fmt(d2); res$joint_p <- fmt(p)
res$joint_reliable <- ifelse(is.na(p), "", ifelse(p < 0.05, "true", "false"))
cpre <- category(Spre[i_pre, "anxiety"], Spre[i_pre, "avoidance"]); cpost <- category(Spost[i_post, "anxiety"], Spost[i_post, "avoidance"])
res$category_pre <- cpre; res$category_post <- cpost
wcsv(res, "change_expected.csv")
wcsv(counts, "change_expected_scores.csv")
cats <- c("secure", "preoccupied", "dismissing", "fearful", "unclassified")
tr <- expand.grid(pre = cats, post = cats, stringsAsFactors = FALSE)
tr$n <- mapply(function(a, b) sum(cpre == a & cpost == b), tr$pre, tr$post)
wcsv(tr, "change_expected_transitions.csv")
wcsv(data.frame(joint = c("reliable", "not_reliable", "missing"),
                n = c(sum(p < 0.05, na.rm = TRUE), sum(p >= 0.05, na.rm = TRUE), sum(is.na(p)))), "change_expected_joint.csv")
# Published values instead of the sample's: the same RCI with given reliability and sd.
given <- c(anxiety = 0.8, avoidance = 0.85); given_sd <- c(anxiety = 1.2, avoidance = 1.1)
wcsv(data.frame(id = paired,
                anxiety_rci = fmt((Spost[i_post, "anxiety"] - Spre[i_pre, "anxiety"]) / (sqrt(2) * given_sd[["anxiety"]] * sqrt(1 - given[["anxiety"]]))),
                avoidance_rci = fmt((Spost[i_post, "avoidance"] - Spre[i_pre, "avoidance"]) / (sqrt(2) * given_sd[["avoidance"]] * sqrt(1 - given[["avoidance"]])))),
     "change_expected_given.csv")

# ---- the AAS (1-5): the joint test on anxiety and close_depend -------------------------------
# close_depend, the mean of close and depend (6 items each), is proportional to the keyed sum
# of their twelve items: its reliability is the alpha of those twelve as one scale.
aas_close <- c(1, 6, 8, 12, 13, 17); aas_depend <- c(2, 5, 7, 14, 16, 18); aas_anx <- c(3, 4, 9, 10, 11, 15)
aas_rev <- c(8, 13, 17, 2, 7, 16, 18)
aas_answers <- function(anx, cd) {
  n <- length(anx); X <- matrix(NA_real_, n, 18)
  for (j in aas_anx) X[, j] <- pmin(5, pmax(1, round(anx + rnorm(n, 0, 0.7))))
  for (j in c(aas_close, aas_depend)) X[, j] <- pmin(5, pmax(1, round(cd + rnorm(n, 0, 0.7))))
  for (j in aas_rev) X[, j] <- 6 - X[, j]
  X
}
aas_keyed <- function(X, items) { x <- X[, items, drop = FALSE]; for (j in seq_along(items)) if (items[j] %in% aas_rev) x[, j] <- 6 - x[, j]; x }
aas_mean <- function(X, items) { x <- aas_keyed(X, items); m <- rowMeans(x, na.rm = TRUE); m[rowSums(!is.na(x)) < 3] <- NA; m }
n_aas <- 60
a0 <- rnorm(n_aas, 3, 0.8); c0 <- rnorm(n_aas, 3, 0.8)
da <- rnorm(n_aas, 0, 0.2); dc <- rnorm(n_aas, 0, 0.2); da[1:8] <- -1.6; dc[1:5] <- 1.5
A1 <- aas_answers(a0, c0); A2 <- aas_answers(a0 + da, c0 + dc)
A1[9, 2] <- NA
aid <- sprintf("A%02d", 1:n_aas)
aas_frame <- function(X) { d <- as.data.frame(X); names(d) <- paste0("Q", 1:18); d }
wcsv(rbind(data.frame(id = aid, wave = "pre", aas_frame(A1)), data.frame(id = aid, wave = "post", aas_frame(A2))), "aas_waves.csv")
sc <- function(X) { cl <- aas_mean(X, aas_close); de <- aas_mean(X, aas_depend)
  cbind(close = cl, depend = de, anxiety = aas_mean(X, aas_anx), close_depend = 0.5 * cl + 0.5 * de) }
P1 <- sc(A1); P2 <- sc(A2)
arel <- c(close = alpha(aas_keyed(A1, aas_close)), depend = alpha(aas_keyed(A1, aas_depend)),
          anxiety = alpha(aas_keyed(A1, aas_anx)), close_depend = alpha(aas_keyed(A1, c(aas_close, aas_depend))))
ares <- data.frame(id = aid)
for (s in colnames(P1)) ares[[paste0(s, "_rci")]] <- fmt((P2[, s] - P1[, s]) / (sqrt(2) * sd(P1[, s], na.rm = TRUE) * sqrt(1 - arel[[s]])))
ra <- (P2[, "anxiety"] - P1[, "anxiety"]) / (sqrt(2) * sd(P1[, "anxiety"], na.rm = TRUE) * sqrt(1 - arel[["anxiety"]]))
rc <- (P2[, "close_depend"] - P1[, "close_depend"]) / (sqrt(2) * sd(P1[, "close_depend"], na.rm = TRUE) * sqrt(1 - arel[["close_depend"]]))
ares$joint_d2 <- fmt(ra^2 + rc^2); ares$joint_p <- fmt(exp(-(ra^2 + rc^2) / 2))
ares$joint_reliable <- ifelse(exp(-(ra^2 + rc^2) / 2) < 0.05, "true", "false")
wcsv(ares, "aas_change_expected.csv")
cat("wrote", out, "\n")
