//! Made-up people and plausible complaints, deterministic from a seed.

use concord_domain::category::Category;
use concord_domain::person::IdNumber;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "郑", "梁", "谢", "叶", "蓝", "雷", "钟", "潘", "毛", "季", "柳", "项", "魏",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "志强", "丽华", "小平", "海燕", "伟", "芳", "军", "敏", "春花", "国良", "晓东",
    "美玲", "永康", "金凤", "德明", "桂英", "文华", "红梅", "明", "静", "少华", "玉兰", "卫东",
];
const COMPANIES: &[&str] = &[
    "云和县某玩具有限公司",
    "云和县某木制品厂",
    "云和县某建筑工程有限公司",
    "云和县某物业服务有限公司",
    "云和县某电器商行",
    "云和县某农家乐",
    "云和县某运输有限公司",
    "丽水市某房地产开发有限公司",
];

pub fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

pub fn person(rng: &mut StdRng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

/// A name as case files write it when it must not be spelled out: 王某某.
pub fn anonymous(rng: &mut StdRng) -> String {
    format!(
        "{}某{}",
        pick(rng, SURNAMES),
        if rng.random_bool(0.5) { "某" } else { "" }
    )
}

pub fn company(rng: &mut StdRng) -> String {
    pick(rng, COMPANIES).to_string()
}

pub fn mobile(rng: &mut StdRng) -> String {
    let prefix = pick(
        rng,
        &[
            "138", "139", "158", "159", "188", "135", "137", "152", "187", "177",
        ],
    );
    format!("{prefix}{:08}", rng.random_range(0..100_000_000u32))
}

/// A valid resident ID number born in 云和县 (331125), 1950–2000.
pub fn id_number(rng: &mut StdRng) -> String {
    let year = rng.random_range(1950..2001);
    let month = rng.random_range(1..13);
    let day = rng.random_range(1..29);
    let first17 = format!(
        "331125{year}{month:02}{day:02}{:03}",
        rng.random_range(0..1000)
    );
    let check = IdNumber::check_char(first17.as_bytes()) as char;
    format!("{first17}{check}")
}

/// A complaint in the words people use, with `place` and amounts filled in.
pub fn description(rng: &mut StdRng, c: Category, place: &str, amount: Option<i64>) -> String {
    let who = anonymous(rng);
    // Some kinds name no amount; their texts still speak of a loss.
    let yuan = amount.map_or_else(|| rng.random_range(5..60) * 100, |a| a / 100);
    let t: &[&str] = match c {
        Category::MarriageFamily => &[
            "{place}村民{who}反映,其父年过八旬,几个子女对赡养费分担意见不一,老人生活无着,请求调解。",
            "{who}与丈夫因感情不和分居两年,现就离婚后子女抚养和共同财产分割发生争执,申请调解。",
            "{who}反映其母亲去世后留下房屋一处,兄妹四人对继承份额争执不下,请求帮助调处。",
        ],
        Category::Neighbor => &[
            "{place}{who}反映邻居建房时占用两家之间通道,且滴水落到其院内,多次协商未果。",
            "{who}反映邻居在楼道堆放杂物、饲养家禽,气味难闻影响生活,双方已发生口角。",
            "{place}两户村民因排水沟堵塞导致一方房屋进水发生争吵,{who}要求对方赔偿损失约{yuan}元。",
        ],
        Category::HousingHomestead => &[
            "{place}{who}反映其宅基地与邻户界址不清,邻户新建围墙越界约半米,要求拆除。",
            "{who}反映购买的安置房漏水严重,开发商维修不到位,要求修复并赔偿{yuan}元。",
        ],
        Category::LandForest => &[
            "{place}两个村民小组对一片山林的权属发生争议,涉及林木采伐收益约{yuan}元。",
            "{who}反映其承包的责任田被他人种植毛竹,多次交涉无果,请求确认承包经营权。",
        ],
        Category::LandRequisition => &[
            "{place}{who}等村民反映征地补偿款分配方案不公,对安置补偿标准有异议。",
            "{who}反映其房屋在拆迁评估中面积认定偏少,补偿款差额约{yuan}元,要求重新评估。",
        ],
        Category::Labor => &[
            "{who}等在{place}某玩具厂务工人员反映,企业拖欠工资三个月共计{yuan}元,老板避而不见。",
            "{who}在工地干活时从脚手架上摔下致腰椎骨折,要求包工头承担医疗费和误工费{yuan}元。",
            "{who}反映被公司无故辞退,未签订劳动合同,要求支付双倍工资和经济补偿{yuan}元。",
        ],
        Category::Medical => &[
            "{who}家属反映患者在县某医院手术后出现感染,认为医院存在过错,要求赔偿{yuan}元。",
            "{who}反映在某诊所输液后出现过敏反应住院治疗,与诊所就赔偿金额协商不成。",
        ],
        Category::Traffic => &[
            "{place}路段发生两车相撞事故,{who}受伤住院,双方就医疗费、误工费{yuan}元赔偿协商不成。",
            "{who}骑电动车被货车刮倒,交警认定货车负主要责任,双方对赔偿数额存在争议。",
        ],
        Category::PropertyMgmt => &[
            "{place}某小区{who}等业主反映物业费上涨不合理、电梯维修不及时,拒交物业费。",
            "{who}反映小区地下车库漏水导致车辆受损,要求物业公司赔偿{yuan}元。",
        ],
        Category::Consumer => &[
            "{who}反映在某电器商行购买的空调安装后不制冷,商家拒绝退换,涉及金额{yuan}元。",
            "{who}反映预付的健身卡门店突然关门,{yuan}元余额无法退还。",
        ],
        Category::ContractDebt => &[
            "{who}反映借给同村村民{yuan}元至今未还,对方以各种理由推脱,请求调解。",
            "{who}承包的装修工程完工后业主拖欠尾款{yuan}元,双方对工程质量各执一词。",
        ],
        Category::TortDamage => &[
            "{who}反映其家中饲养的鸡鸭被邻居家的狗咬死,要求赔偿{yuan}元,对方不予认可。",
            "{place}{who}与人发生口角后被推倒受伤,花去医药费{yuan}元,要求对方赔偿。",
        ],
        Category::Environment => &[
            "{place}村民{who}等反映附近木制品加工厂夜间噪声扰民、粉尘污染,多次反映未解决。",
            "{who}反映上游养殖场污水排入溪流,导致其鱼塘鱼类死亡,损失约{yuan}元。",
        ],
        Category::Other => &[
            "{who}反映其诉求多年未得到解决,对之前的处理结果不满意,要求重新处理。",
            "{place}{who}反映村务公开不及时,对村集体资金使用有疑问,要求说明。",
        ],
    };
    pick(rng, t)
        .replace("{place}", place)
        .replace("{who}", &who)
        .replace("{yuan}", &yuan.to_string())
}
