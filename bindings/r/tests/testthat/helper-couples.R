# A six-item questionnaire for the couples and change tests, with scores computed here in
# base R: anxiety = mean of items 1-3 (3 reversed), avoidance = mean of items 4-6 (6 reversed)
# on 1-7, total = anxiety + avoidance, balance = anxiety - avoidance.
couple_key <- function() {
  q <- bowlby::questionnaire("couple", n_items = 6, scale = c(1, 7))
  q <- bowlby::add_subscale(q, "anxiety", 1:3, reversed = 3)
  q <- bowlby::add_subscale(q, "avoidance", 4:6, reversed = 6)
  q <- bowlby::add_derived(q, "total", c(anxiety = 1, avoidance = 1))
  bowlby::add_derived(q, "balance", c(anxiety = 1, avoidance = -1))
}

couple_items <- paste0("Q", 1:6)

# The answers keyed: reversed items as 8 - x.
keyed_items <- function(x) {
  k <- as.matrix(x[couple_items])
  k[, c(3, 6)] <- 8 - k[, c(3, 6)]
  k
}

# The four scores of each row (a subscale with any item missing is planted fully missing, so
# the mean over all three items is the score or NA).
reference_scores <- function(x) {
  k <- keyed_items(x)
  anx <- rowMeans(k[, 1:3])
  avo <- rowMeans(k[, 4:6])
  cbind(anxiety = anx, avoidance = avo, total = anx + avo, balance = anx - avo)
}

# Answers 1-7 around a latent level on each axis (rows x 2: anxiety, avoidance).
answers_around <- function(latent) {
  n <- nrow(latent)
  item <- function(level) pmin(7, pmax(1, round(level + rnorm(n, sd = 0.6))))
  data.frame(Q1 = item(latent[, 1]), Q2 = item(latent[, 1]), Q3 = 8 - item(latent[, 1]),
             Q4 = item(latent[, 2]), Q5 = item(latent[, 2]), Q6 = 8 - item(latent[, 2]))
}

# The midpoint rule on 1-7 written out: above 4 high, below low, exactly 4 unclassified.
midpoint_category <- function(anx, avo) {
  out <- ifelse(anx > 4, ifelse(avo > 4, "fearful", "preoccupied"), ifelse(avo > 4, "dismissing", "secure"))
  out[is.na(anx) | is.na(avo) | anx == 4 | avo == 4] <- "unclassified"
  out
}
