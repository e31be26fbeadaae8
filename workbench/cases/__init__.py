"""Cases: the resident, household, tenancy, arrears and all that an advisor maps and logs."""
