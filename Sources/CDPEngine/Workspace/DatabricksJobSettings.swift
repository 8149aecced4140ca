/// The settings of a Databricks job (Jobs API 2.1) that `cdp` reads but does not run, with why, so a job
/// exported from Databricks is read with these listed as ignored (a warning) rather than refused.
///
/// Settings `cdp` runs are not listed here: they are the definition's own (`WorkflowDefinition.settingNames`
/// and the like). A key in neither list is ignored with a warning too, unless it is a near miss of a setting
/// `cdp` runs (`timout_seconds`), which stays a problem: a typo must not silently drop a limit.
enum DatabricksJobSettings {
    static let compute = "Databricks compute; cdp runs every task in its own process on this machine"
    static let workspace = "a Databricks workspace setting; cdp does not use it"
    static func taskType(_ name: String) -> String {
        "cdp does not run a \(name); it runs the task's cdp_task"
    }

    /// Settings of the job itself.
    static let job: [String: String] = [
        "job_clusters": compute,
        "environments": compute,
        "budget_policy_id": compute,
        "performance_target": compute,
        "tags": workspace,
        "access_control_list": "Databricks permissions; cdp's are in governance/access.toml",
        "run_as": "Databricks identity; a cdp run is by the OS user who starts it (audited)",
        "git_source": workspace,
        "format": workspace,
        "edit_mode": workspace,
        "deployment": workspace,
        "queue": "cdp queues a run behind another with `cdp run --wait`",
        "continuous": "cdp has no continuous mode; use a schedule",
        "notification_settings": "cdp sends every notification it is given (none for skipped runs)",
        // What `databricks jobs get` adds around the settings.
        "job_id": workspace,
        "created_time": workspace,
        "creator_user_name": workspace,
        "run_as_user_name": workspace,
    ]

    /// Settings of a task.
    static let task: [String: String] = [
        "existing_cluster_id": compute,
        "new_cluster": compute,
        "job_cluster_key": compute,
        "environment_key": compute,
        "compute_key": compute,
        "libraries": compute,
        "disable_auto_optimization": compute,
        "notebook_task": taskType("notebook_task"),
        "spark_jar_task": taskType("spark_jar_task"),
        "spark_python_task": taskType("spark_python_task"),
        "spark_submit_task": taskType("spark_submit_task"),
        "pipeline_task": taskType("pipeline_task"),
        "python_wheel_task": taskType("python_wheel_task"),
        "sql_task": taskType("sql_task"),
        "dbt_task": taskType("dbt_task"),
        "run_job_task": taskType("run_job_task"),
        "for_each_task": taskType("for_each_task"),
        "clean_rooms_notebook_task": taskType("clean_rooms_notebook_task"),
        "retry_on_timeout": "cdp does not retry a task that timed out",
        "email_notifications": "cdp does not send e-mail for a task",
        "webhook_notifications": "cdp does not call webhooks for a task",
        "notification_settings": "cdp does not send notifications for a task",
        "health": "cdp does not check health rules for a task",
    ]

    /// Settings of a job's `trigger` other than `file_arrival`.
    static let trigger: [String: String] = [
        "periodic": "cdp starts periodic runs with a schedule (quartz_cron_expression)",
        "table_update": "cdp does not watch tables; it watches folders with file_arrival",
        "table": "cdp does not watch tables; it watches folders with file_arrival",
    ]

    /// Settings of a task's `depends_on` entry.
    static let dependency: [String: String] = [:]

    /// The Databricks task types, for a task that has one of them and no `cdp_task`.
    static var taskTypes: [String] { task.keys.filter { $0.hasSuffix("_task") }.sorted() }
}
