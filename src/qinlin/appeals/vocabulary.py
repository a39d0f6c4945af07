"""The vocabulary of community problems: what residents call one matter in many words.

Each concept gathers the words residents use for one thing (单元门 / 楼门 / 防盗门 / 门禁 are
one door), so that two appeals about the same matter meet even when they share no word.
A word may belong to more than one concept (加装电梯 is both the lift and the project of
adding one). The list is written from how residents talk in chat groups, at building-door
meetings and on the hotline, including the homophone slips of pinyin input (暖器, 电悌, 楼到):
those are the typos a phone keyboard makes.

`scope` is the smallest place one occurrence of the matter usually covers. A broken unit
door concerns one unit, a leaking roof one building, cold radiators or square dancing the
whole compound. The finder uses it to keep "the door of unit 2" and "the door of unit 1"
apart while letting "the heating is cold" from every building meet.

`weight` says how much a concept tells about the matter: objects (电梯, 暖气) say a lot;
generic complaints (坏了, 臭, 老人) say little on their own.

Pure data: no Django import (the finder that reads it is reused outside Django).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scope = Literal["unit", "building", "compound", "any"]


@dataclass(frozen=True, slots=True)
class Concept:
    key: str
    label: str
    scope: Scope
    weight: float
    words: tuple[str, ...]


def _words(text: str) -> list[str]:
    """Words written as one space-separated string: shorter to read than a list of literals."""
    return text.split()


def _concept(key: str, label: str, scope: Scope, weight: float, words: str) -> Concept:
    return Concept(key=key, label=label, scope=scope, weight=weight, words=tuple(_words(words)))


# Objects and matters: what the appeal is about.
_MATTERS = (
    _concept(
        "door",
        "单元门、门禁",
        "unit",
        1.0,
        """单元门 楼门 防盗门 门禁 门禁卡 门禁系统 门禁机 电子门 门锁 电子锁 电磁锁 电控锁
        闭门器 铁门 楼宇门 单元大门 楼道门 楼下大门 楼下的门 对讲 可视对讲 楼宇对讲 对讲机 刷卡
        刷脸 人脸识别 门磁 密码锁 门卡 进楼 关不上 关不严 合不上 关不住 锁不上 一推就开 刷不开
        打不开门 单元们 防盗们 楼门口 门口对讲 门铃 门 门吸 合页 锁舌 锁芯 钥匙 拧不动 大铁门
        单元楼门 进楼门 门敞着 敞着""",
    ),
    _concept(
        "gate",
        "小区大门、道闸、门岗",
        "compound",
        0.9,
        """大门 小区大门 道闸 门岗 门卫 门卫室 保安亭 出入口 抬杆 车闸 栏杆 北门 南门 东门 西门
        侧门 门禁道闸 车牌识别""",
    ),
    _concept(
        "heating",
        "供暖",
        "compound",
        1.0,
        """暖气 供暖 采暖 取暖 供热 暖气片 散热器 地暖 热力公司 热力 供热站 热力站 换热站
        供热公司 取暖费 采暖费 供暖费 暖气费 热网 暖器 暖汽 供热热线 暖和 不暖和 暖""",
    ),
    _concept(
        "cold",
        "室温低",
        "compound",
        0.7,
        """室温 温度 不热 冰凉 冷 冻 冻手 冻脚 测温 冷冰冰 凉 温乎乎 温吞 羽绒服 棉袄 冻感冒
        冷得 冰冷 冰 测室温 不达标 上不来 十五度 十六度 十七度""",
    ),
    _concept(
        "pipe",
        "管道",
        "any",
        0.6,
        """管道 管子 水管 暖气管 暖气管道 供暖管道 管线 立管 阀门 爆管 主管道 管网 爆了 管道爆裂
        暖气管子""",
    ),
    _concept(
        "leak",
        "漏水、渗水",
        "building",
        0.9,
        """漏水 渗水 滴水 漏雨 渗漏 返潮 洇水 往下滴 发霉 霉 水渍 跑水 冒水 淹 泡 漏 渗 水汽
        潮湿 受潮 霉斑 长毛 泡掉""",
    ),
    _concept(
        "roof",
        "楼顶、屋面防水",
        "building",
        0.8,
        """楼顶 屋顶 顶楼 顶层 屋面 防水 防水层 天台 天花板 楼板 顶棚 房顶 吊顶""",
    ),
    _concept(
        "lift",
        "电梯",
        "building",
        1.0,
        """电梯 升降梯 直梯 电悌 电题 梯 轿厢 困人 关人 电梯井 电梯间 维保 维保单位 电梯门
        坐电梯 加装电梯 装电梯 加梯 增设电梯 电梯停运 停运""",
    ),
    _concept(
        "addlift",
        "老楼加装电梯",
        "building",
        1.0,
        """加装电梯 加梯 加装 装电梯 增设电梯 老楼 低层住户 一楼住户 加装补贴 同意 签字""",
    ),
    _concept(
        "climb",
        "爬楼难",
        "building",
        0.5,
        """爬楼 爬楼梯 上楼 下楼 上下楼 走楼梯 腿脚不好 腿脚不便 行动不便 上六楼 爬上爬下""",
    ),
    _concept(
        "parking",
        "停车",
        "compound",
        1.0,
        """停车 车位 停车位 停车场 地库 地下车库 车库 乱停 乱停车 乱停乱放 占车位 占位 外来车辆
        外来车 僵尸车 停车难 没地方停 没处停 停车费 私家车 抢车位 汽车 车辆 停车为 车停 地锁
        地桩 车位锁 私装地锁 挪车""",
    ),
    _concept(
        "firelane",
        "消防安全",
        "any",
        0.5,
        """消防通道 消防 着火 火灾 失火 起火 冒烟 消防车 灭火器 烧起来 自燃 爆炸 生命通道 救护车
        消防栓 开不进来 堵死""",
    ),
    _concept(
        "ev",
        "电动车充电",
        "compound",
        1.0,
        """充电桩 充电 充电口 充电装 充电站 电动车 电瓶车 电动自行车 电车 飞线 飞线充电 拉电线
        插线板 拉线 车棚 充不上电 智能充电 电池 充电器 充电柜 扫码充电 电动车棚""",
    ),
    _concept(
        "rubbish",
        "垃圾清运",
        "compound",
        1.0,
        """垃圾 垃圾站 垃圾桶 垃圾箱 垃圾房 垃圾点 垃圾分类 清运 垃圾清运 拉圾 垃极 垃圾堆
        生活垃圾 厨余 厨余垃圾 分类桶 垃圾车 清理垃圾 溢出来 垃圾池""",
    ),
    _concept(
        "smell",
        "异味",
        "any",
        0.5,
        """臭 臭味 异味 味道 气味 恶臭 臭气熏天 熏 反味 骚味 尿骚味 呛 呛人 腥 臭烘烘 熏人 臭气""",
    ),
    _concept(
        "pests",
        "蚊蝇鼠虫",
        "compound",
        0.5,
        """苍蝇 老鼠 蚊子 蚊虫 蟑螂 虫子 滋生 招虫 招老鼠 白蚁 跳蚤""",
    ),
    _concept(
        "noise",
        "噪音扰民",
        "any",
        0.6,
        """吵 噪音 噪声 扰民 声音太大 震天响 吵闹 太吵 吵得 动静 音量 睡不着 吵死 睡不好 噪间
        吵人 睡不了 午休 休息""",
    ),
    _concept(
        "dance",
        "广场舞",
        "compound",
        1.0,
        """广场舞 跳舞 跳操 音响 音箱 大妈 放音乐 音乐 健身操 喇叭 扩音器 唱歌 唱戏 乐器 广场 舞
        大喇叭 蓝牙音箱 暴走团 腰鼓 锣鼓 敲锣打鼓 秧歌 扭秧歌 晨练 太极 打拳 练节目 排练 合唱
        空竹 抽陀螺 甩鞭 鞭子 打鼓 锣""",
    ),
    _concept(
        "petshop",
        "宠物店",
        "building",
        1.0,
        """宠物店 宠物医院 宠物美容 宠物美容店 寄养 狗笼 狗笼子 宠物诊所 猫舍 犬舍""",
    ),
    _concept(
        "dog",
        "犬只、宠物",
        "compound",
        0.9,
        """狗 犬 遛狗 拴绳 不拴绳 狗屎 狗粪 狗叫 流浪狗 养狗 大狗 汪汪 狗毛 宠物 猫 流浪猫 犬只
        狗绳 咬人 被咬 随地大小便 便便""",
    ),
    _concept(
        "shop",
        "底商、商户",
        "building",
        0.4,
        """底商 商铺 门面 店 店铺 商户 门脸 一楼底商 临街 饭店 餐馆 烧烤店 小饭馆""",
    ),
    _concept(
        "fumes",
        "餐饮油烟",
        "building",
        1.0,
        """油烟 排烟 烟熏火燎 油烟机 净化器 排烟管道 烧烤 烧烤店 饭店 餐馆 餐饮 炒菜 烟道 油污
        油烟味 烟""",
    ),
    _concept(
        "renovation",
        "装修施工",
        "building",
        1.0,
        """装修 电钻 砸墙 施工 打孔 冲击钻 电锯 敲敲打打 装修噪音 拆墙 电镐 切割 叮叮咣咣 打墙
        开凿 装修队""",
    ),
    _concept(
        "tree",
        "树木、绿化",
        "building",
        1.0,
        """树 大树 树木 树枝 树杈 修剪 剪枝 杨树 杨絮 柳絮 绿化 绿化带 草坪 绿地 枯树 砍树 树叶
        修枝 剪剪枝 树冠 柳树 梧桐树 打药 喷药 毛毛虫 长疯了 树太大""",
    ),
    _concept(
        "sunlight",
        "采光",
        "building",
        0.6,
        """阳光 采光 挡光 晒不到 太阳 遮挡 遮光 光线 见不到太阳 晒 挡 开灯 白天开灯""",
    ),
    _concept(
        "streetlight",
        "路灯、照明",
        "compound",
        1.0,
        """路灯 照明 路上没灯 黑灯瞎火 漆黑 一片漆黑 灯杆 庭院灯 草坪灯 景观灯 路等""",
    ),
    _concept(
        "stairlight",
        "楼道灯",
        "building",
        1.0,
        """楼道灯 声控灯 感应灯 楼梯灯 走廊灯 楼道照明 声控 跺脚 节能灯 楼道的灯""",
    ),
    _concept(
        "light",
        "灯不亮",
        "any",
        0.5,
        """灯 不亮 黑 黑乎乎 太黑 灯泡 没灯 黑漆漆 看不见 电筒 手电筒 手电""",
    ),
    _concept(
        "corridor",
        "楼道、楼梯",
        "building",
        0.4,
        """楼道 楼梯 楼梯间 楼到 走廊 楼梯口 拐角 过道 楼梯拐角 楼道里""",
    ),
    _concept(
        "clutter",
        "楼道堆物",
        "building",
        1.0,
        """堆物 杂物 堆放 堆满 占道 旧家具 纸箱 纸箱子 破烂 废品 乱堆 乱放 清理楼道 楼道堆物 堆
        旧冰箱 自行车 鞋柜 捡破烂""",
    ),
    _concept(
        "road",
        "道路破损",
        "compound",
        1.0,
        """路 路面 道路 坑 坑洼 坑坑洼洼 破损 水泥路 沥青 铺 重新铺 崴脚 地砖 人行道 路砖 翻浆
        坑洼不平 补 补路 甬路 道路破损 轮椅""",
    ),
    _concept(
        "drain",
        "下水道、排污",
        "building",
        1.0,
        """下水道 下水 排水 排污 污水 返水 化粪池 粪水 堵 堵塞 堵了 污水井 马桶 地漏 疏通
        排污管道 下水管 反水 冒水 横流 下水到 污水横流 粪 抽粪 掏 清掏 满溢 冲不下去 返脏水
        污水管""",
    ),
    _concept(
        "water",
        "供水、水质",
        "building",
        1.0,
        """自来水 水质 发黄 黄水 水压 水龙头 二次供水 水箱 铁锈 锈水 停水 没水 水小 水压低 供水
        水泵 水发黄 铁锈味 渣子 水垢 浑浊 出水""",
    ),
    _concept(
        "facade",
        "外墙脱落",
        "building",
        1.0,
        """外墙 墙皮 瓷砖 墙面 保温层 脱落 掉落 鼓包 墙体 外立面 空鼓 外墙皮 外保温 掉下来
        往下掉 外墙砖 墙砖 水泥块 楼体 裂缝 墙缝 掉渣 起皮""",
    ),
    _concept(
        "throwing",
        "高空抛物",
        "building",
        1.0,
        """高空抛物 往下扔 扔东西 抛物 坠物 高空坠物 花盆 烟头 从楼上 窗外 往外扔 扔 砸到 砸""",
    ),
    _concept(
        "fitness",
        "健身器材、游乐设施",
        "compound",
        1.0,
        """健身器材 健身器械 运动器械 器材 器械 漫步机 单杠 双杠 秋千 滑梯 游乐设施 儿童游乐场
        游乐场 跷跷板 健身 健身区 健身设施 太空漫步机 扭腰器 篮球架""",
    ),
    _concept(
        "management",
        "物业服务",
        "compound",
        1.0,
        """物业费 物业公司 换物业 物业服务 不作为 收支 公开 服务差 保安 报修 服务 业委会
        业主大会 涨价 收费 选聘 解聘 退出""",
    ),
    _concept(
        "grouprent",
        "群租",
        "building",
        1.0,
        """群租 群租房 隔断 隔成 小间 出租 租户 人员杂 人员太杂 二房东 隔断房 出租屋 房东 租""",
    ),
    _concept(
        "parcel",
        "快递",
        "compound",
        1.0,
        """快递 快递柜 丰巢 快递员 丢件 包裹 驿站 菜鸟驿站 快递点 快件 取件 件""",
    ),
    _concept(
        "meals",
        "老年助餐",
        "compound",
        1.0,
        """食堂 老年食堂 助餐 助餐点 老年餐桌 长者食堂 送饭 送餐 吃饭 做饭 饭 餐 午饭 热乎饭
        就餐 助老餐 饭堂 老年饭桌""",
    ),
    _concept(
        "elderly",
        "老人",
        "any",
        0.3,
        """老人 老年人 长者 高龄 老伴 老年 老人家 老太太 老大爷""",
    ),
    _concept(
        "pool",
        "景观水池",
        "compound",
        1.0,
        """景观池 水池 喷泉 池子 水景 人工湖 换水 绿藻 藻 死水 臭水沟 喷泉池 鱼池 景观水""",
    ),
    _concept(
        "birds",
        "家禽、鸽子",
        "building",
        1.0,
        """鸽子 鸽子粪 养鸽 鸽笼 养鸡 鸡 鸭 鸟粪""",
    ),
    _concept(
        "cctv",
        "监控、治安",
        "compound",
        0.7,
        """摄像头 监控 治安 小偷 被盗 偷 盗窃 丢车 撬""",
    ),
    _concept(
        "gas",
        "燃气",
        "building",
        1.0,
        """燃气 煤气 天然气 漏气 燃气管道 燃气表 煤气味""",
    ),
    _concept(
        "power",
        "供电",
        "building",
        1.0,
        """停电 电表 电压 跳闸 电线 线路老化 供电 电路 电闸 配电箱 电压不稳""",
    ),
    _concept(
        "fund",
        "维修资金",
        "building",
        0.5,
        """维修基金 专项维修资金 维修资金 公共维修基金 动用维修基金""",
    ),
    _concept(
        "oldrenov",
        "老旧小区改造",
        "compound",
        0.6,
        """老旧小区改造 改造 旧改 老旧小区 综合整治 提升改造""",
    ),
    _concept(
        "signal",
        "信号、网络",
        "building",
        1.0,
        """信号 网络 宽带 没信号 基站 光纤""",
    ),
    _concept(
        "eldercare",
        "养老照护",
        "compound",
        1.0,
        """日间照料 日间照料中心 照料 照看 上门 志愿者 空巢 空巢老人 独居老人 独居 探访 养老服务
        居家养老 助老 看护 护理 没人照顾 无人照顾 养老 养老院 托老所 失能 陪护 探望 紧急呼叫
        呼叫器 一键呼叫 紧急呼叫器 护理员 助浴 上门服务 家政 助洁 居家养老服务 适老化 扶手""",
    ),
    _concept(
        "nightlife",
        "歌厅、棋牌等经营噪音",
        "building",
        1.0,
        """ktv 歌厅 歌舞厅 酒吧 麻将馆 棋牌室 麻将 网吧 夜宵 夜宵摊 唱k 唱歌 鬼哭狼嚎 低音
        低音炮 娱乐场所 会所 划拳 喝酒""",
    ),
    _concept(
        "aircon",
        "空调外机",
        "building",
        1.0,
        """空调 空调外机 外机 冷凝水 空调水 空调滴水 滴答 空调管 排水管 空调架""",
    ),
    _concept(
        "manhole",
        "井盖",
        "compound",
        1.0,
        """井盖 窨井 窨井盖 下水井盖 雨水井 井口 没有盖子 盖子 井盖丢了 井盖碎了 掉下去""",
    ),
    _concept(
        "flooding",
        "积水",
        "compound",
        0.7,
        """积水 内涝 排不出去 水淹 成了河 下雨天 一下雨 雨水 泡水 蹚水""",
    ),
    _concept(
        "bikes",
        "共享单车、自行车乱放",
        "compound",
        1.0,
        """共享单车 单车 共享电单车 哈啰 美团单车 自行车 堆成山""",
    ),
    _concept(
        "smoking",
        "吸烟",
        "building",
        1.0,
        """抽烟 吸烟 烟味 二手烟 烟雾 烟瘾""",
    ),
    _concept(
        "flyers",
        "小广告",
        "building",
        1.0,
        """小广告 牛皮癣 贴广告 发广告 广告 推销 传单 喷涂""",
    ),
    _concept(
        "strangers",
        "陌生人进出",
        "any",
        0.5,
        """陌生人 外人 流浪汉 闲杂人员 随便进出 谁都能进 随便进 进进出出""",
    ),
    _concept(
        "construction",
        "工地施工",
        "compound",
        1.0,
        """工地 打桩 渣土车 夜间施工 塔吊 扬尘 搅拌机 施工队 工程车 彻夜施工""",
    ),
    _concept(
        "encroach",
        "违建、毁绿种菜",
        "compound",
        1.0,
        """违建 违章建筑 私搭乱建 违章 搭建 圈占 种菜 毁绿 开荒 私搭 搭棚 圈地 占用绿地 菜地""",
    ),
    _concept(
        "vendors",
        "占道经营、摊贩",
        "compound",
        1.0,
        """摆摊 小摊贩 摊贩 占道经营 流动摊 早市 夜市 地摊 卖菜 摊点 摊子 菜市场 吆喝 叫卖
        流动摊点 出摊 小贩 卖水果""",
    ),
    _concept(
        "bills",
        "水电费、公摊",
        "building",
        1.0,
        """水费 电费 公摊 公摊费 燃气费 电梯费 二次加压费 分摊""",
    ),
    _concept(
        "pests2",
        "马蜂",
        "compound",
        1.0,
        """马蜂 马蜂窝 蜂窝 蜂巢 黄蜂""",
    ),
    _concept(
        "snow",
        "积雪结冰",
        "compound",
        1.0,
        """积雪 扫雪 结冰 路滑 冰面 铲雪 除雪""",
    ),
    _concept(
        "debris",
        "装修、建筑垃圾",
        "compound",
        1.0,
        """装修垃圾 建筑垃圾 渣土 废料 建渣 装修废料 大件垃圾 碎砖 水泥袋 废弃家具""",
    ),
    _concept(
        "basement",
        "地下室",
        "building",
        0.8,
        """地下室 储藏室 储物间 地下储藏室 半地下室 地下层""",
    ),
    _concept(
        "children",
        "孩子",
        "any",
        0.3,
        """孩子 小孩 儿童 小朋友 学生 写作业 高考 中考 娃""",
    ),
)

# How things go wrong: these help only together with an object, so they weigh little.
_COMPLAINTS = (
    _concept(
        "broken",
        "坏了",
        "any",
        0.3,
        """坏 坏了 损坏 故障 失灵 不好用 不能用 用不了 没反应 坏掉 断了 裂了 破了 维修 修 检修
        修理 修一下 修修 坏掉了 出故障 毛病 失修 年久失修""",
    ),
    _concept(
        "danger",
        "安全隐患",
        "any",
        0.3,
        """危险 安全隐患 隐患 不安全 吓人 害怕 吓死人 担心 摔 摔倒 受伤 划伤 砸伤 摔了""",
    ),
    _concept(
        "dirty",
        "脏乱",
        "any",
        0.3,
        """脏 脏乱差 脏乱 卫生 不卫生 垃圾遍地 乱七八糟 粪便""",
    ),
)

CONCEPTS: tuple[Concept, ...] = _MATTERS + _COMPLAINTS

# Words that carry no matter at all in an appeal: courtesy, the channel, the addressee,
# time and degree words, and the words every appeal uses ("问题", "反映", "小区").
STOP_WORDS: frozenset[str] = frozenset(
    _words(
        """了 的 地 得 着 过 吗 呢 吧 啊 呀 哦 嘛 么 哈 啦 和 与 及 或 跟 同 而 但 但是 可是
        因为 所以 如果 就 都 也 还 又 再 才 很 太 更 最 挺 非常 特别 比较 真的 实在 简直 根本
        一直 已经 总是 老是 经常 一点 一点都 一些 有点 有些 这么 那么 这样 那样 怎么 怎么办 什么
        为什么 哪里 哪儿 谁 多少 我 我们 我家 咱们 咱 你 你们 您 他 他们 她 它 大家 别人 自己
        人家 有人 人 家 家里 户 住户 居民 业主 这 那 这个 那个 这些 那些 这里 那里 这边 那边
        这儿 那儿 此 其 个 位 次 回 天 年 月 日 是 有 没有 没 不 在 到 去 来 给 把 被 让 对 从
        向 往 为 于 以 之 等 能 会 可以 能不能 可不可以 要 想 希望 请 请求 麻烦 谢谢 感谢 您好
        你好 领导 同志 帮忙 帮 帮助 协调 一下 一起 赶紧 尽快 早日 及时 马上 立即 赶快 反映 反应
        投诉 举报 建议 要求 申请 诉求 问题 情况 事情 事 解决 处理 落实 管 管理 不管 没人管 负责
        相关 部门 社区 居委会 街道 物业 小区 本小区 我们小区 楼 楼里 楼下 楼上 一楼 号楼 单元
        现在 目前 今天 昨天 前天 最近 每天 天天 好几天 几天 半个月 一个月 好几次 几次 多次 好多
        很多 许多 所有 整个 全部 一直没 还是 还有 另外 而且 并且 然后 以后 以前 之前 之后 时候
        的时候 期间 一下子 一个 一次 一天 两天 三天 已 就是 只是 只能 只有 可能 应该 必须 需要
        知道 觉得 认为 发现 看到 听说 说 讲 问 问问 打 打电话 电话 热线 留言 群里 看看 看 找
        找了 严重 厉害 不行 不了 得很 不得了 要命 受不了 没法 无法 影响 造成 导致 出现 发生 存在"""
    )
)

# After these words a resident usually turns to a second, lesser matter ("另外楼道灯也不亮"):
# the clauses that follow count for less, so the message is grouped with its main matter.
SECONDARY_MARKERS: tuple[str, ...] = (
    "另外",
    "还有就是",
    "还有",
    "此外",
    "顺便",
    "再就是",
    "再有",
)


def user_words() -> list[str]:
    """The lexicon's words of two characters or more, for jieba to keep whole."""
    words = {word for concept in CONCEPTS for word in concept.words if len(word) >= 2}
    return sorted(words)


def concepts_by_word() -> dict[str, tuple[str, ...]]:
    """Every lexicon word and the concept keys it names."""
    table: dict[str, list[str]] = {}
    for concept in CONCEPTS:
        for word in concept.words:
            keys = table.setdefault(word, [])
            if concept.key not in keys:
                keys.append(concept.key)
    return {word: tuple(keys) for word, keys in table.items()}


def hint_characters(*, share: float = 0.75, least: int = 3) -> dict[str, tuple[str, ...]]:
    """Characters that on their own point to one concept: 停 → parking, 梯 → lift.

    A character qualifies when at least `least` words of the lexicon contain it and `share`
    of them belong to one concept. Residents coin words the lexicon cannot list ("停满了",
    "停进来"); their characters still say what they are about.
    """
    by_char: dict[str, dict[str, int]] = {}
    for concept in CONCEPTS:
        for word in concept.words:
            for ch in set(word):
                counts = by_char.setdefault(ch, {})
                counts[concept.key] = counts.get(concept.key, 0) + 1
    hints: dict[str, tuple[str, ...]] = {}
    for ch, counts in by_char.items():
        total = sum(counts.values())
        key, best = max(counts.items(), key=lambda item: (item[1], item[0]))
        if total >= least and best >= share * total and ch not in STOP_WORDS:
            hints[ch] = (key,)
    return hints
