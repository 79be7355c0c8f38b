//! What the audit log records (审计日志): every action and kind of object as an enum with its
//! stable code (stored) and its Chinese label (shown), so no page shows a raw code.

use crate::unit::labelled_enum;

labelled_enum!(
    /// What was done.
    AuditAction {
        Create = "create", "新增";
        Update = "update", "修改";
        Delete = "delete", "删除";
        Recompute = "recompute", "重新计算";
        Met = "met", "标记完成";
        Waive = "waive", "豁免";
        Reopen = "reopen", "撤销完成/豁免";
        Adjust = "adjust", "期限调整";
        Denied = "denied", "拒绝访问";
        Download = "download", "下载";
        Export = "export", "导出";
        Publish = "publish", "发布";
        Submit = "submit", "报送";
        Accept = "accept", "审核通过";
        Return = "return", "退回";
        Request = "request", "提出申请";
        Approve = "approve", "批准";
        Refuse = "refuse", "驳回";
        Import = "import", "导入";
        BulkCreate = "bulk_create", "批量新增";
        Login = "login", "登录";
        LoginFailed = "login_failed", "登录失败";
        Logout = "logout", "退出";
        LogoutAll = "logout_all", "全部退出";
        Lock = "lock", "锁定账户";
        Unlock = "unlock", "解除登录限制";
        Revoke = "revoke", "撤销";
        Close = "close", "销号";
    } "操作"
);

labelled_enum!(
    /// What it was done to.
    AuditEntity {
        Proceeding = "proceeding", "程序";
        Party = "party", "当事人";
        Hearing = "hearing", "开庭";
        Appearance = "appearance", "出庭";
        Outcome = "outcome", "结果";
        Event = "event", "事件";
        Deadline = "deadline", "期限";
        Document = "document", "文书";
        Submission = "submission", "报送";
        WorkItem = "work_item", "工作事项";
        CorrectionRequest = "correction_request", "更正申请";
        JudgmentReading = "judgment_reading", "裁判文书识别";
        Dispute = "dispute", "争议";
        Unit = "unit", "单位";
        UnitHead = "unit_head", "单位负责人";
        User = "user", "用户";
        ApiToken = "api_token", "接口令牌";
        Feed = "feed", "日历订阅";
        Setting = "setting", "设置";
        DeadlineSettings = "deadline_settings", "期限设置";
        RuleSet = "rule_set", "期限规则";
        Calendar = "calendar", "工作日历";
        CodeItem = "code_item", "代码表";
        Access = "access", "访问";
        Ledger = "ledger", "台账";
        Statistics = "statistics", "统计";
        StatSnapshot = "stat_snapshot", "统计发布";
        StatsConfig = "stats_config", "统计口径";
        NotifyRules = "notify_rules", "提醒规则";
        Gateway = "gateway", "消息接口";
        Preferences = "preferences", "通知设置";
        AppearancePlan = "appearance_plan", "出庭人员名单";
        AppearanceRules = "appearance_rules", "出庭规则";
        Warning = "warning", "风险预警";
        RiskRules = "risk_rules", "风险评分规则";
        SupervisionOrder = "supervision_order", "督办单";
        Instruction = "instruction", "领导批示";
    } "对象"
);

/// The Chinese label of a stored action code ("操作" for a code this release does not know).
pub fn action_label(code: &str) -> &'static str {
    AuditAction::from_code(code).map_or("操作", AuditAction::label)
}

/// The Chinese label of a stored entity code ("记录" for a code this release does not know).
pub fn entity_label(code: &str) -> &'static str {
    AuditEntity::from_code(code).map_or("记录", AuditEntity::label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_chinese_label() {
        for a in AuditAction::ALL {
            assert!(a.label().chars().all(|c| !c.is_ascii_alphabetic()), "{a:?}");
            assert_eq!(action_label(a.code()), a.label());
        }
        for e in AuditEntity::ALL {
            assert!(e.label().chars().all(|c| !c.is_ascii_alphabetic()), "{e:?}");
            assert_eq!(entity_label(e.code()), e.label());
        }
        assert_eq!(action_label("frobnicate"), "操作");
        assert_eq!(entity_label("gadget"), "记录");
    }
}
