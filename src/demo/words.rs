//! What the generator draws people's names and needs from: common surnames (the most common
//! drawn most often), given-name characters, and a description for each need category.

pub(super) const NEED_TEXT: &[(&str, &str)] = &[
    ("medical", "需要定期就医和药费支持"),
    ("daily_care", "生活需要有人照料"),
    ("education", "孩子学费有困难"),
    ("living_costs", "日常生活费不足"),
    ("employment", "家中劳动力需要就业帮扶"),
    ("housing", "住房条件差，需要修缮"),
    ("transport", "孩子上学交通不便"),
    ("guardianship", "孩子缺少监护"),
    ("psychological", "情绪低落，需要心理疏导"),
    ("family_education", "缺少家庭教育指导"),
    ("health_hygiene", "需要卫生健康指导"),
    ("legal", "需要法律援助"),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏",
    "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "段", "雷", "侯", "龙", "史",
    "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔",
    "向", "汤", "单", "解", "仇", "查", "欧阳", "诸葛",
];
const FEMALE: &[&str] = &[
    "秀", "英", "兰", "芳", "丽", "敏", "静", "燕", "红", "霞", "梅", "玲", "娟", "萍", "华", "桂",
    "慧", "婷", "雪", "琴", "云", "洁", "佳", "欣", "怡", "雨", "萱", "思", "语", "晓", "梦", "璐",
    "颖", "艳", "凤", "丹", "月", "珍", "莉", "琳",
];
const MALE: &[&str] = &[
    "建", "国", "军", "伟", "强", "明", "华", "平", "刚", "杰", "涛", "斌", "辉", "磊", "鹏", "宇",
    "浩", "轩", "博", "文", "志", "勇", "超", "俊", "峰", "龙", "海", "林", "成", "永", "德", "安",
    "子", "晨", "睿", "泽",
];

fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(0..list.len())]
}

pub(super) fn person_name(rng: &mut fastrand::Rng, surname: &str, female: bool) -> String {
    let pool = if female { FEMALE } else { MALE };
    let mut n = surname.to_string();
    n.push_str(pick(rng, pool));
    if rng.u8(0..10) < 7 {
        n.push_str(pick(rng, pool));
    }
    n
}

pub(super) fn surname(rng: &mut fastrand::Rng) -> &'static str {
    // Skewed towards the common surnames at the front of the list.
    let f = rng.f64();
    SURNAMES[((f * f) * SURNAMES.len() as f64) as usize % SURNAMES.len()]
}
