"""Customers after the sale: a won deal is a yearly contract that renews, grows or churns.

A won deal's price is its first year (``lead.revenue``, the annual contract
value). On each anniversary the customer decides: churn, or renew and maybe buy
more. Both depend on the customer, not on a constant: how well the product fits
them (``fit``) and how the buying experience left them (their satisfaction when
they signed, 50 neutral). The odds of churning are ``customer_churn`` for a
customer of typical fit after a neutral experience (``churn_fit_typical``), times
``churn_fit_odds`` per 0.1 of fit below it (divided, above it), times
``churn_experience_odds`` for the worst experience (raised to how far below neutral
it was; the best experience divides by it). A renewing customer grows their contract by ``expansion_rate``,
times ``expansion_experience`` for the best experience and divided by it for the
worst. The renewal draws are the prospect's own (seeded from their deal draw),
so the same customer meets the same luck in every scenario.

The company starts with customers: an installed base of ``installed_base_arr``
dollars a year when the run (its warm-up) starts (the company the defaults
describe: about $24M of ARR, docs/MODEL.md), contracts of the market's deal sizes
grown by a few renewals, of typical fit and a neutral experience, renewing on
anniversaries spread over the year. They are the same customers in every scenario
of a seed (a stream of their own) and renew, churn, expand and refer new
prospects to the field (:meth:`Customers.refer`) as the run's own customers will.
Customers won in the warm-up are not followed (the installed base stands for them).
What a new customer is worth beyond the run is
:meth:`Customers.lifetime_value`, margin over expected churn at their own odds.

Account managers look after the contracts under contract, one per
``arr_per_account_manager`` of ARR; the rest of the company's operating costs
(R&D, G&A) are budgeted at the start as ``other_operating_share`` of the ARR.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.config.params import DAYS_PER_YEAR, Params
from sim.config.params import HOURS_PER_DAY as BUSINESS_HOURS
from sim.model.clock import HOURS_PER_CALENDAR_DAY, WORKING_DAYS_PER_YEAR
from sim.model.component import Component
from sim.model.leads import U_WIN, Lead
from sim.model.market import logistic
from sim.model.reps import logit

if TYPE_CHECKING:
    from sim.model.services import CustomerServices

YEAR_HOURS = DAYS_PER_YEAR * HOURS_PER_CALENDAR_DAY


@dataclass(slots=True)
class Customer:
    """One customer: the contract they pay each year, and what they brought to it."""

    lead_id: int
    team: int  # the field team whose territory it is in
    contract: float  # dollars a year
    first: float  # the first year's contract (the won deal's revenue)
    fit: float
    experience: float  # how the buying experience left them: -1 (satisfaction 0) to +1 (100)
    luck: random.Random
    active: bool = True


def experience(satisfaction: float) -> float:
    """Satisfaction 0-100 as -1 (worst) to +1 (best), 0 neutral."""
    return max(-1.0, min(1.0, (satisfaction - 50.0) / 50.0))


def churn_chance(p: Params, customer: Customer) -> float:
    """The chance the customer leaves at a renewal: fit and the buying experience move the odds."""
    x = (
        logit(p.customer_churn)
        + math.log(p.churn_fit_odds) * (p.churn_fit_typical - customer.fit) * 10.0
        - math.log(p.churn_experience_odds) * customer.experience
    )
    return logistic(x)


def expansion(p: Params, customer: Customer) -> float:
    """How much a renewing customer adds to their contract, as a share of it."""
    rate: float = p.expansion_rate * p.expansion_experience**customer.experience  # a float: positive base
    return rate


class Customers(Component):
    """The organization's customers: contracts, renewals, churn, expansion and the referrals they make.

    Attributes:
        installed: the customers the company had when the run started (its installed base).
        book: the run's own customers (won while the books were open).
        renewed, churned, expanded: dollars of contracts renewed, lost and added at renewals since the books opened.
        referral_weight: the active customers' propensity to refer, summed (a neutral customer counts 1).
    """

    KPIS = (
        "customers", "recurring_revenue", "renewal_revenue", "churned_revenue", "expansion_revenue",
        "customer_churn_rate", "customer_lifetime_value", "ltv_to_cac", "account_management_cost",
        "other_operating_cost", "sales_marketing_overhead", "total_revenue",
    )  # fmt: skip
    STREAMS = ("customers.installed", "customers.referrals")
    TALLIES = ("renewed", "churned", "expanded")
    PARAMS = (
        "customer_churn", "churn_fit_odds", "churn_fit_typical", "churn_experience_odds", "expansion_rate",
        "expansion_experience", "installed_base_arr", "installed_contract_growth", "arr_per_account_manager",
        "account_manager_salary", "other_operating_share",
        "sales_marketing_overhead_share", "referrals_per_customer", "deal_value_median",
        "deal_value_sigma",
    )  # fmt: skip

    def __init__(self, model: CustomerServices) -> None:
        self.model = model
        self.book: list[Customer] = []
        self.renewed = self.churned = self.expanded = 0.0
        self.opened_at = 0.0
        self.referral_weight = 0.0
        self.installed = self._installed_base(model.params)
        when = model.streams["customers.installed"].random(len(self.installed))
        for customer, u in zip(self.installed, when.tolist(), strict=True):
            self._join(customer)
            model.calendar.add(u * YEAR_HOURS, self.renew, customer)  # anniversaries spread over the year
        self.opening_arr = self.recurring_revenue

    def open_books(self) -> None:
        """The books open: renewals, churn and expansion count from here, on the ARR the company has now."""
        super().open_books()
        self.opened_at = self.model.day * HOURS_PER_CALENDAR_DAY
        self.opening_arr = self.recurring_revenue

    def _installed_base(self, p: Params) -> list[Customer]:
        """Contracts of the market's deal sizes, grown by a few renewals, until they add up to the ARR.

        Every customer is of typical fit with a neutral buying experience: their churn
        is ``customer_churn``, their expansion ``expansion_rate``, as published.
        """
        rng = self.model.streams["customers.installed"]
        customers: list[Customer] = []
        total = 0.0
        while total < p.installed_base_arr:
            contract = p.deal_value_median * math.exp(p.deal_value_sigma * rng.standard_normal())
            contract *= 1.0 + p.installed_contract_growth
            luck = random.Random(f"{rng.random()!r}/installed")
            customers.append(Customer(-1 - len(customers), -1, contract, contract, p.churn_fit_typical, 0.0, luck))
            total += contract
        return customers

    def _join(self, customer: Customer) -> None:
        self.referral_weight += self.model.params.expansion_experience**customer.experience

    def sign(self, lead: Lead, at: float) -> None:
        """A won deal (its draws still on the lead): a customer whose first year is paid; the renewal is booked."""
        if not self.model.measuring:
            return  # a customer of the warm-up: the installed base stands for them
        luck = random.Random(f"{lead.draws[U_WIN]!r}/customer")  # the prospect's own renewal luck
        customer = Customer(
            lead.lead_id, lead.team, lead.revenue, lead.revenue, lead.fit, experience(lead.satisfaction), luck
        )
        self.book.append(customer)
        self._join(customer)
        self.model.calendar.add(at + YEAR_HOURS, self.renew, customer)

    def renew(self, customer: Customer, at: float) -> None:
        """An anniversary: the customer churns, or renews (paying the next year) and may buy more."""
        p = self.model.params
        if customer.luck.random() < churn_chance(p, customer):
            customer.active = False
            self.churned += customer.contract
            self.referral_weight -= p.expansion_experience**customer.experience
            return
        more = customer.contract * expansion(p, customer)
        customer.contract += more
        self.expanded += more
        self.renewed += customer.contract
        self.model.calendar.add(at + YEAR_HOURS, self.renew, customer)

    def refer(self, day: int) -> None:
        """A working day's introductions: each customer refers at ``referrals_per_customer`` a year.

        A delighted customer refers ``expansion_experience`` times as often as a neutral one, an
        unhappy one that much less. Each referral is a first meeting for a field rep of a team drawn
        by headcount (:meth:`FieldTeams.refer`), at a random hour of the working day. The draws
        come from a stream of their own, the same number whatever the field does with them.
        """
        rng = self.model.streams["customers.referrals"]
        mean = self.referral_weight * self.model.params.referrals_per_customer / WORKING_DAYS_PER_YEAR
        n = int(rng.poisson(mean)) if mean > 0 else 0
        if n:
            opens = self.model.clock.opens(day)
            for hour, u in zip(rng.random(n).tolist(), rng.random(n).tolist(), strict=True):
                self.model.refer(opens + hour * BUSINESS_HOURS, u)

    @property
    def active(self) -> list[Customer]:
        """The customers still under contract (the installed base and the run's own)."""
        return [c for c in (*self.installed, *self.book) if c.active]

    @property
    def recurring_revenue(self) -> float:
        """The contracts of the active customers, dollars a year (ARR)."""
        return sum(c.contract for c in self.active)

    def _years(self) -> float:
        return max(0.0, self.model.day * HOURS_PER_CALENDAR_DAY - self.opened_at) / YEAR_HOURS

    def account_management_cost(self) -> float:
        """Account managers for the ARR under contract (its mean over the run: opening and now), over the run."""
        p = self.model.params
        managed = 0.5 * (self.opening_arr + self.recurring_revenue)
        return managed / p.arr_per_account_manager * p.account_manager_salary * self._years()

    def _budgeted(self, share: float) -> float:
        """A cost budgeted at the start as ``share`` of the opening ARR a year, over the run."""
        return share * self.opening_arr * self._years()

    def sales_marketing_overhead(self) -> float:
        """S&M beyond the reps, their managers and the channels: budgeted at the start as a share of the ARR."""
        return self._budgeted(self.model.params.sales_marketing_overhead_share)

    def other_operating_cost(self) -> float:
        """R&D and G&A: budgeted at the start as a share of the opening ARR, over the run."""
        return self._budgeted(self.model.params.other_operating_share)

    def churn_rate(self) -> float:
        """The share of the run's customers expected to leave at their first renewal (their own odds)."""
        if not self.book:
            return float("nan")
        p = self.model.params
        return sum(churn_chance(p, c) for c in self.book) / len(self.book)

    def lifetime_value(self, margin: float, rate: float) -> float:
        """A customer's lifetime value as SaaS metrics define it: first-year contract x margin / churn.

        The mean first-year contract of the run's customers times ``margin`` (the share
        of a contract dollar left after the cost of goods) over ``rate``, their expected
        yearly churn (:meth:`churn_rate`, each at their own fit and buying experience);
        expansion is left out, as the usual formula leaves it out (Skok, SaaS Metrics 2.0).
        """
        if not self.book or not rate > 0:
            return float("nan")
        return margin * sum(c.first for c in self.book) / len(self.book) / rate
