// bowlby: scoring of adult-attachment questionnaires. MIT licence, see LICENSE.
//
// Umbrella header: includes every public topic header. Include only what you use if you
// prefer: bowlby/score.hpp for scoring, bowlby/instruments.hpp for the built-in keys,
// bowlby/key.hpp for defining questionnaires, bowlby/csv.hpp for reading CSV files.
#pragma once

#include "bowlby/change.hpp"
#include "bowlby/classify.hpp"
#include "bowlby/csv.hpp"
#include "bowlby/dyads.hpp"
#include "bowlby/error.hpp"
#include "bowlby/instrument_accumulator.hpp"
#include "bowlby/instruments.hpp"
#include "bowlby/item_statistics.hpp"
#include "bowlby/key.hpp"
#include "bowlby/regions.hpp"
#include "bowlby/reliability.hpp"
#include "bowlby/reliability_result.hpp"
#include "bowlby/rule.hpp"
#include "bowlby/score.hpp"
#include "bowlby/score_table.hpp"
#include "bowlby/version.hpp"
