"""AWS's public on-demand prices in US East (N. Virginia), for what an ECR lesson costs.

Sources, as read on 2026-12-06 (AWS changes prices without notice; a learner should check the pages):
- ECR storage, $0.10 per GB-month; data transfer IN free; transfer to AWS services in the same Region free;
  out to the internet at EC2's internet rates: https://aws.amazon.com/ecr/pricing/ (quoted, US East, in
  cloudburn.io "Amazon ECR pricing", March 2026, and wring.co, March 2026; the AWS page itself was not in
  the reference corpus).
- Data transfer out to the internet, $0.09 per GB for the first 10 TB a month; between Regions, $0.02 per
  GB out of US East: https://aws.amazon.com/ec2/pricing/on-demand/ ("Data Transfer"), quoted in usage.ai
  "AWS network costs", May 2026. The 100 GB a month AWS gives free across services, and the cheaper tiers
  above 10 TB, are left out: the simulation bills every GB at the first tier.
- NAT gateway, $0.045 per hour and $0.045 per GB processed: https://aws.amazon.com/vpc/pricing/ (quoted in
  several 2026 guides: cloudpipelines, basavytix, rajesh.medampudi.com).
- Interface VPC endpoints (AWS PrivateLink), $0.01 per hour per endpoint per Availability Zone, "Each
  partial VPC endpoint-hour consumed is billed as a full hour", and $0.01 per GB processed for the first
  PB a month in a Region: https://aws.amazon.com/privatelink/pricing/ (the page's text on hourly billing per
  AZ; the figures quoted in awsnegotiations.com, May 2026, and a mirror of the page).
- Gateway VPC endpoints for S3: no hourly or per-GB charge (https://aws.amazon.com/vpc/pricing/; also the
  VPC user guide, "Gateway endpoints": "There is no additional charge for using gateway endpoints").
Lambda and Fargate compute are not priced here: they are billed by duration and size, which the simulation
does not model.
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_MONTH = 730  # AWS's pricing calculator's month
GIB = 1024**3  # AWS bills data in GB of 2^30 bytes


@dataclass(frozen=True)
class Price:
    key: str
    label: str  # what the bill calls the line
    unit: str  # what is counted: GB, GB-month, hours, AZ-hours
    dollars: float  # per unit


def dollars(price: float) -> str:
    """$0.10, $0.045: cents, or the tenth of a cent a price has."""
    return f"${price:.2f}" if round(price, 2) == price else f"${price:.3f}"


PRICES: dict[str, Price] = {
    price.key: price
    for price in (
        Price("ecr-storage", "ECR storage", "GB-month", 0.10),
        Price("internet-out", "Data transfer out to the internet", "GB", 0.09),
        Price("inter-region", "Data transfer between Regions", "GB", 0.02),
        Price("nat-hours", "NAT gateway hours", "hours", 0.045),
        Price("nat-data", "NAT gateway data processed", "GB", 0.045),
        Price("endpoint-hours", "Interface endpoint hours (per AZ)", "AZ-hours", 0.01),
        Price("endpoint-data", "Interface endpoint data processed", "GB", 0.01),
        Price("s3-gateway", "S3 gateway endpoint data", "GB", 0.0),
    )
}
