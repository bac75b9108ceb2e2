test_that("classify() by the midpoint gives the quadrants written out here", {
  # On 1-7 the midpoint is 4: anxiety and avoidance above it are high, below low, on it
  # unclassified (at_cut's default).
  s <- data.frame(avoidance = c(2, 2, 6, 6, 4, 3), anxiety = c(2, 6, 2, 6, 3, 4),
                  row.names = paste0("p", 1:6))
  s$avoidance_n <- 18L
  s$anxiety_n <- 18L
  c <- bowlby::classify(s, instrument = "ecr")
  expect_identical(levels(c$category), c("secure", "preoccupied", "dismissing", "fearful", "unclassified"))
  expect_identical(as.character(c$category),
                   c("secure", "preoccupied", "dismissing", "fearful", "unclassified", "unclassified"))
  expect_identical(rownames(c), rownames(s))
  expect_true(all(is.na(c$category_p)))  # no SEMs given
  p <- bowlby::classify(s, instrument = "ecr", sem = c(0.3, 0.3))$category_p
  expect_true(all(p[1:4] > 0.5 & p[1:4] <= 1))
})

test_that("classify() reads score()'s output with its instrument and scale", {
  set.seed(3)
  x <- matrix(sample(1:5, 50 * 36, replace = TRUE), 50, 36)
  s <- bowlby::score(x, "ecr", scale = c(1, 5))
  c <- bowlby::classify(s)
  high_anx <- s$anxiety > 3
  high_avo <- s$avoidance > 3
  expected <- ifelse(s$anxiety == 3 | s$avoidance == 3, "unclassified",
                     ifelse(high_anx, ifelse(high_avo, "fearful", "preoccupied"),
                            ifelse(high_avo, "dismissing", "secure")))
  expect_identical(as.character(c$category), expected)
})

test_that("a row with a missing score does not change the category of later rows", {
  # (NA, 2.5) and (3, 2.5) compare equal under a map's ordering when NaN is a key: the second
  # row took the first's unclassified before missing scores were classified one by one.
  s <- data.frame(avoidance = c(2.5, 2.5, 5, 5), anxiety = c(NA, 3, NA, 6))
  c <- bowlby::classify(s, instrument = "ecr")
  expect_identical(as.character(c$category), c("unclassified", "secure", "unclassified", "fearful"))
})

test_that("classify() of score()'s output on a questionnaire() reads the questionnaire it carries", {
  q <- bowlby::questionnaire("pair", 4, scale = c(1, 7))
  q <- bowlby::add_subscale(q, "anxiety", 1:2)
  q <- bowlby::add_subscale(q, "avoidance", 3:4, reversed = 4)
  x <- rbind(c(6, 7, 2, 7), c(2, 1, 6, 1), c(6, 6, 6, 2), c(4, 4, 2, 6), c(NA, NA, 5, 5))
  s <- bowlby::score(x, q)
  expect_s3_class(attr(s, "instrument"), "bowlby_questionnaire")
  c <- bowlby::classify(s)
  # anxiety = (x1 + x2) / 2, avoidance = (x3 + 8 - x4) / 2, cut at the midpoint 4.
  expect_identical(as.character(c$category),
                   midpoint_category((x[, 1] + x[, 2]) / 2, (x[, 3] + 8 - x[, 4]) / 2))
  expect_identical(as.character(c$category), c("preoccupied", "dismissing", "fearful", "unclassified", "unclassified"))
})

test_that("classify(fit_on =) fits the median rule to another sample and classifies these scores by it", {
  set.seed(8)
  base <- data.frame(anxiety = round(runif(41, 1, 7), 1), avoidance = round(runif(41, 1, 7), 1))
  new <- data.frame(anxiety = round(runif(30, 1, 7), 1), avoidance = round(runif(30, 1, 7), 1))
  cut <- c(stats::median(base$anxiety), stats::median(base$avoidance))
  c <- bowlby::classify(new, "median", instrument = "ecr", fit_on = base, sem = c(0.4, 0.5))
  expected <- ifelse(new$anxiety > cut[1], ifelse(new$avoidance > cut[2], "fearful", "preoccupied"),
                     ifelse(new$avoidance > cut[2], "dismissing", "secure"))
  expected[new$anxiety == cut[1] | new$avoidance == cut[2]] <- "unclassified"
  expect_identical(as.character(c$category), expected)
  p <- stats::pnorm(abs(new$anxiety - cut[1]) / 0.4) * stats::pnorm(abs(new$avoidance - cut[2]) / 0.5)
  ok <- expected != "unclassified"
  expect_equal(c$category_p[ok], p[ok], tolerance = 1e-12)
  own <- c(stats::median(new$anxiety), stats::median(new$avoidance))
  expect_false(isTRUE(all.equal(own, cut)))  # the sample's own medians would be other cuts
  expect_error(bowlby::classify(new, "median", instrument = "ecr", fit_on = base["anxiety"]),
               class = "bowlby_shape_error")
})
