extension StepLimits {
    /// What a step of an account on a plan with `plan`'s limits gets: the plan's memory, CPUs and processes,
    /// each at most the operator's value (`self`, from the `FLOWFORGE_STEP_*` settings), which stays the
    /// ceiling whatever a plan or plans file says, because it is what the machine can give. The limits a
    /// plan does not set (open files, processes per user, log files) stay the operator's.
    public func forPlan(_ plan: PlanStepLimits) -> StepLimits {
        var limits = self
        limits.memoryBytes = min(memoryBytes, plan.memoryBytes)
        limits.nanoCPUs = min(nanoCPUs, plan.nanoCPUs)
        limits.pids = min(pids, plan.pids)
        return limits
    }
}
